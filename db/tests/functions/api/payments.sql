-- Tests for functions/api/payments: who may parse and build KE-QR codes through the api, and the round trip there.
BEGIN;
SELECT plan(4);

SELECT tests.as_service();
CREATE TEMP TABLE code AS SELECT api.build_ke_qr(false, '28', 'MPESA', '174379', '5999', 'Kiosk', 'Mombasa') AS payload;
GRANT SELECT ON code TO PUBLIC;
RESET ROLE;
SELECT tests.as_user('kc|nobody-in-particular');
SELECT is(api.parse_ke_qr((SELECT payload FROM code)) ->> 'merchant_account', '174379', 'a signed-in user parses a code');
RESET ROLE;
SELECT ok(NOT has_function_privilege('mercato_anon', 'api.parse_ke_qr(core.long_text)', 'EXECUTE'), 'not anonymously');
SELECT ok(NOT has_function_privilege('mercato_user',
    'api.build_ke_qr(boolean, core.name_text, core.name_text, core.name_text, core.name_text, core.name_text, core.name_text, numeric, core.name_text)',
    'EXECUTE'), 'building is the back office''s until merchants arrive');
SELECT is((SELECT payload FROM code), '00020101021128190005MPESA0106174379520459995303404' || '5802KE5905Kiosk6007Mombasa6304' ||
          payments.crc16_ccitt_false('00020101021128190005MPESA01061743795204599953034045802KE5905Kiosk6007Mombasa6304'),
          'the static code as the standard lays it out');

SELECT * FROM finish();
ROLLBACK;
