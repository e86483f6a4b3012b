-- Tests for functions/payments/qr: the CRC against the standard's check values, a payload built and parsed back, and
-- every refusal naming its tag (an altered, truncated or foreign code).
BEGIN;
SELECT plan(17);

SELECT is(payments.crc16_ccitt_false('123456789'), '29B1', 'CRC-16/CCITT-FALSE check value');
SELECT is(payments.crc16_ccitt_false('00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678'
                                     '520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京54052'
                                     '3.7253031565502016233030412340603***0708A60086670902ME91320016A01122334499887707'
                                     '08123456786304'), 'A13A', 'EMVCo''s own sample payload (UTF-8 included)');

CREATE TEMP TABLE qr AS
SELECT payments.build_ke_qr(true, '29', 'KCB', '1234567890', '5411', 'Gem Mint Cards', 'Nairobi', 1500.5, 'PI-42') AS dyn,
       payments.build_ke_qr(false, '28', 'MPESA', '174379', '5999', 'Kiosk', 'Mombasa') AS stat;
GRANT SELECT ON qr TO PUBLIC;
SELECT is((SELECT dyn FROM qr),
          '00020101021229210003KCB0110123456789052045411530340454071500.505802KE5914Gem Mint Cards6007Nairobi'
          '62090505PI-426304B45C', 'a dynamic code: the fields in order, the amount with two decimals, the CRC last');
SELECT is(payments.parse_ke_qr((SELECT dyn FROM qr)),
          '{"initiation": "DYNAMIC", "template": "29", "provider_id": "KCB", "merchant_account": "1234567890",
            "mcc": "5411", "currency": "KES", "amount": "1500.50", "country": "KE", "name": "Gem Mint Cards",
            "city": "Nairobi", "reference": "PI-42"}'::jsonb, 'parsed back: the same fields');
SELECT is(payments.parse_ke_qr((SELECT stat FROM qr)) ->> 'initiation', 'STATIC', 'a static code without an amount');
SELECT is(tests.error_of($$SELECT payments.parse_ke_qr(replace((SELECT dyn FROM qr), '1500.50', '1900.50'))$$),
          'PT400 PAYMENTS_INVALID_QR tag 63: CRC B45C does not match the payload (' ||
          payments.crc16_ccitt_false(left(replace((SELECT dyn FROM qr), '1500.50', '1900.50'),
                                          length((SELECT dyn FROM qr)) - 4)) || ')',
          'an altered amount is caught by the CRC');
SELECT throws_like($$SELECT payments.parse_ke_qr(left((SELECT dyn FROM qr), 40))$$, 'PAYMENTS_INVALID_QR:%',
                   'a truncated code is refused');
SELECT is(tests.error_of($$SELECT payments.parse_ke_qr(left((SELECT dyn FROM qr), length((SELECT dyn FROM qr)) - 4) || 'ZZZZ')$$),
          'PT400 PAYMENTS_INVALID_QR tag 63: the payload must end with its CRC (6304 and 4 hex digits)', 'no CRC, no code');
CREATE FUNCTION pg_temp.with_crc(p text) RETURNS text LANGUAGE sql AS $f$ SELECT p || '6304' || payments.crc16_ccitt_false(p || '6304') $f$;
GRANT EXECUTE ON FUNCTION pg_temp.with_crc(text) TO PUBLIC;
SELECT is(tests.error_of($$SELECT payments.parse_ke_qr(pg_temp.with_crc('00020101021229210003KCB01101234567890' ||
          '52045411530384054071500.505802KE5914Gem Mint Cards6007Nairobi'))$$),
          'PT400 PAYMENTS_INVALID_QR tag 53: currency 840; KE-QR is in 404 (KES)', 'a dollar code is not KE-QR');
SELECT is(tests.error_of($$SELECT payments.parse_ke_qr(pg_temp.with_crc('00020101021229210003KCB01101234567890' ||
          '52045411530340454071500.505802UG5914Gem Mint Cards6007Nairobi'))$$),
          'PT400 PAYMENTS_INVALID_QR tag 58: country UG; KE-QR is KE', 'nor a code of another country');
SELECT is(tests.error_of($$SELECT payments.parse_ke_qr(pg_temp.with_crc('00020101021229210003KCB01101234567890' ||
          '5204541153034045802KE5914Gem Mint Cards6007Nairobi'))$$),
          'PT400 PAYMENTS_INVALID_QR tag 54: a dynamic code carries its amount', 'a dynamic code without its amount');
SELECT is(tests.error_of($$SELECT payments.parse_ke_qr(pg_temp.with_crc('0002010102115204541153034045802KE5905Kiosk6007Mombasa'))$$),
          'PT400 PAYMENTS_INVALID_QR tag 26-51: a merchant account template with subtags 00 and 01', 'no merchant account');
SELECT is(tests.error_of($$SELECT payments.parse_ke_qr(pg_temp.with_crc('00020101021152045411520454115303404' ||
          '5802KE5905Kiosk6007Mombasa'))$$), 'PT400 PAYMENTS_INVALID_QR tag 52: given twice', 'a tag given twice');
SELECT is(tests.error_of($$SELECT payments.parse_ke_qr(pg_temp.with_crc('000201010211299'))$$),
          'PT400 PAYMENTS_INVALID_QR payload: no tag and length at position 13', 'a field without its length');
SELECT throws_like($$SELECT payments.build_ke_qr(true, '29', 'KCB', '1', '5411', 'Shop', 'Nairobi')$$,
                   'PAYMENTS_INVALID_QR:%', 'building a dynamic code needs its amount');
SELECT throws_like($$SELECT payments.build_ke_qr(false, '29', 'KCB', '1', '5411', 'A shop whose name is far too long', 'Nairobi')$$,
                   'PAYMENTS_INVALID_QR:%', 'the name is at most 25 characters');
SELECT ok(NOT has_function_privilege('mercato_user', 'payments.parse_ke_qr(text)', 'EXECUTE'), 'internal: through the api only');

SELECT * FROM finish();
ROLLBACK;
