-- Deploy mercato:functions/payments/qr to pg
-- KE-QR payloads (the CBK's 2023 standard on EMVCo merchant-presented mode): build one, and parse one with its CRC
-- checked. A payload is a run of TLV fields: a 2-digit tag, a 2-digit length, the value. KE-QR uses 00 (format "01"),
-- 01 (11 static: the payer enters the amount; 12 dynamic: a fixed amount), a merchant account template among 26-51
-- (28 for a payment service provider, 29 for a bank: subtag 00 the provider's or bank's identifier, 01 the merchant's
-- account), 52 the merchant category code, 53 the currency (404, Kenyan shilling), 54 the amount, 58 the country (KE),
-- 59 the merchant's name, 60 its city, 62 additional data (subtag 05 the reference label, which binds a dynamic code
-- to the payment intent it was made for) and last 63, the CRC-16/CCITT-FALSE of everything before its value
-- (polynomial 0x1021, initial value 0xFFFF, no reflection, over the payload's bytes up to and including "6304").
-- The payload carries no signature: the CRC catches a mistyped or altered code, and the server-side record a dynamic
-- code must match (merchant, amount, expiry, unused) catches a forged one (issue 19; that record comes with intents).
-- Pure functions: no table is read or written.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION payments.crc16_ccitt_false(p_data text)
RETURNS text
LANGUAGE plpgsql
IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_bytes bytea := convert_to(p_data, 'UTF8');
    v_crc   integer := 65535;
BEGIN
    FOR i IN 0 .. length(v_bytes) - 1 LOOP
        v_crc := v_crc # (get_byte(v_bytes, i) << 8);
        FOR b IN 1 .. 8 LOOP
            IF (v_crc & 32768) <> 0 THEN
                v_crc := ((v_crc << 1) # 4129) & 65535;
            ELSE
                v_crc := (v_crc << 1) & 65535;
            END IF;
        END LOOP;
    END LOOP;
    RETURN upper(lpad(to_hex(v_crc), 4, '0'));
END
$$;
COMMENT ON FUNCTION payments.crc16_ccitt_false(text) IS
'CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF, no reflection, no final XOR) of the text''s UTF-8 bytes, as 4
upper-case hex digits: the checksum of EMVCo and KE-QR payloads (tag 63). Check value: ''123456789'' -> 29B1.';

CREATE OR REPLACE FUNCTION payments.qr_field(p_tag text, p_value text)
RETURNS text
LANGUAGE plpgsql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_value IS NULL OR length(p_value) NOT BETWEEN 1 AND 99 THEN
        PERFORM core.raise('PAYMENTS_INVALID_QR', format('tag %s: a value of 1-99 characters is required', p_tag));
    END IF;
    RETURN p_tag || lpad(length(p_value)::text, 2, '0') || p_value;
END
$$;
COMMENT ON FUNCTION payments.qr_field(text, text) IS
'One TLV field of a QR payload: the tag, the value''s length in two digits, the value (1-99 characters, else
PAYMENTS_INVALID_QR naming the tag). Internal.';

CREATE OR REPLACE FUNCTION payments.qr_fields(p_data text, p_where text)
RETURNS TABLE (tag text, value text)
LANGUAGE plpgsql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_pos integer := 1;
    v_len integer;
BEGIN
    WHILE v_pos <= length(p_data) LOOP
        IF substr(p_data, v_pos, 4) !~ '^[0-9]{4}$' THEN
            PERFORM core.raise('PAYMENTS_INVALID_QR', format('%s: no tag and length at position %s', p_where, v_pos));
        END IF;
        tag := substr(p_data, v_pos, 2);
        v_len := substr(p_data, v_pos + 2, 2)::integer;
        IF v_len = 0 OR v_pos + 3 + v_len > length(p_data) THEN
            PERFORM core.raise('PAYMENTS_INVALID_QR', format('%s: tag %s announces %s characters', p_where, tag, v_len));
        END IF;
        value := substr(p_data, v_pos + 4, v_len);
        RETURN NEXT;
        v_pos := v_pos + 4 + v_len;
    END LOOP;
END
$$;
COMMENT ON FUNCTION payments.qr_fields(text, text) IS
'The TLV fields of a payload or template, in order; a field cut short or without its tag and length is refused
(PAYMENTS_INVALID_QR naming p_where and the position). Internal.';

CREATE OR REPLACE FUNCTION payments.build_ke_qr(p_dynamic boolean, p_template text, p_provider_id text,
                                                p_merchant_account text, p_mcc text, p_name text, p_city text,
                                                p_amount numeric DEFAULT NULL, p_reference text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v text;
BEGIN
    IF p_dynamic IS NULL THEN
        PERFORM core.raise('PAYMENTS_INVALID_QR', 'tag 01: static or dynamic must be said');
    ELSIF p_template IS NULL OR p_template NOT IN ('28', '29') THEN
        PERFORM core.raise('PAYMENTS_INVALID_QR', 'tag 26-51: the merchant account template is 28 (PSP) or 29 (bank)');
    ELSIF p_mcc IS NULL OR p_mcc !~ '^[0-9]{4}$' THEN
        PERFORM core.raise('PAYMENTS_INVALID_QR', 'tag 52: the merchant category code is 4 digits');
    ELSIF length(p_name) > 25 OR length(p_city) > 15 THEN
        PERFORM core.raise('PAYMENTS_INVALID_QR', 'tag 59/60: the name has at most 25 characters, the city 15');
    ELSIF p_dynamic AND p_amount IS NULL THEN
        PERFORM core.raise('PAYMENTS_INVALID_QR', 'tag 54: a dynamic code carries its amount');
    ELSIF p_amount IS NOT NULL AND (p_amount <= 0 OR scale(p_amount) > 2 OR p_amount >= 1e10) THEN
        PERFORM core.raise('PAYMENTS_INVALID_QR', format('tag 54: %s is not an amount of KES (positive, 2 decimals)', p_amount));
    END IF;
    v := payments.qr_field('00', '01')
      || payments.qr_field('01', CASE WHEN p_dynamic THEN '12' ELSE '11' END)
      || payments.qr_field(p_template, payments.qr_field('00', p_provider_id) || payments.qr_field('01', p_merchant_account))
      || payments.qr_field('52', p_mcc)
      || payments.qr_field('53', '404')
      || CASE WHEN p_amount IS NULL THEN '' ELSE payments.qr_field('54', to_char(p_amount, 'FM9999999990.00')) END
      || payments.qr_field('58', 'KE')
      || payments.qr_field('59', p_name)
      || payments.qr_field('60', p_city)
      || CASE WHEN p_reference IS NULL THEN '' ELSE payments.qr_field('62', payments.qr_field('05', p_reference)) END
      || '6304';
    RETURN v || payments.crc16_ccitt_false(v);
END
$$;
COMMENT ON FUNCTION payments.build_ke_qr(boolean, text, text, text, text, text, text, numeric, text) IS
'A KE-QR payload: static (the payer enters the amount; p_amount optional) or dynamic (p_amount required, and a
reference in tag 62/05 binding it to its payment intent), the merchant account template 28 (PSP) or 29 (bank) with the
provider''s id and the merchant''s account, MCC, currency 404, country KE, name (≤ 25) and city (≤ 15), and the
CRC-16/CCITT-FALSE in tag 63. Errors: PAYMENTS_INVALID_QR naming the tag.';

CREATE OR REPLACE FUNCTION payments.parse_ke_qr(p_payload text)
RETURNS jsonb
LANGUAGE plpgsql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    f        record;
    v_fields jsonb := '{}';
    v_tmpl   text;
    v_acct   jsonb;
    v_extra  jsonb := '{}';
    v_body   text;
BEGIN
    IF p_payload IS NULL OR length(p_payload) NOT BETWEEN 12 AND 512 THEN
        PERFORM core.raise('PAYMENTS_INVALID_QR', 'payload: 12-512 characters');
    ELSIF right(p_payload, 8) !~ '^6304[0-9A-Fa-f]{4}$' THEN
        PERFORM core.raise('PAYMENTS_INVALID_QR', 'tag 63: the payload must end with its CRC (6304 and 4 hex digits)');
    END IF;
    v_body := left(p_payload, length(p_payload) - 4);
    IF upper(right(p_payload, 4)) <> payments.crc16_ccitt_false(v_body) THEN
        PERFORM core.raise('PAYMENTS_INVALID_QR', format('tag 63: CRC %s does not match the payload (%s)',
                                                         upper(right(p_payload, 4)), payments.crc16_ccitt_false(v_body)));
    END IF;
    FOR f IN SELECT * FROM payments.qr_fields(left(p_payload, length(p_payload) - 8), 'payload') LOOP
        IF v_fields ? f.tag THEN
            PERFORM core.raise('PAYMENTS_INVALID_QR', format('tag %s: given twice', f.tag));
        END IF;
        v_fields := v_fields || jsonb_build_object(f.tag, f.value);
        IF f.tag BETWEEN '26' AND '51' AND v_tmpl IS NULL THEN
            v_tmpl := f.tag;
            SELECT jsonb_object_agg(t.tag, t.value) INTO v_acct FROM payments.qr_fields(f.value, 'tag ' || f.tag) t;
        ELSIF f.tag = '62' THEN
            SELECT jsonb_object_agg(t.tag, t.value) INTO v_extra FROM payments.qr_fields(f.value, 'tag 62') t;
        END IF;
    END LOOP;
    IF v_fields ->> '00' IS DISTINCT FROM '01' THEN
        PERFORM core.raise('PAYMENTS_INVALID_QR', 'tag 00: the payload format indicator must be 01');
    ELSIF v_fields ->> '01' IS NULL OR v_fields ->> '01' NOT IN ('11', '12') THEN
        PERFORM core.raise('PAYMENTS_INVALID_QR', 'tag 01: 11 (static) or 12 (dynamic)');
    ELSIF v_tmpl IS NULL OR v_acct ->> '00' IS NULL OR v_acct ->> '01' IS NULL THEN
        PERFORM core.raise('PAYMENTS_INVALID_QR', 'tag 26-51: a merchant account template with subtags 00 and 01');
    ELSIF coalesce(v_fields ->> '52', '') !~ '^[0-9]{4}$' THEN
        PERFORM core.raise('PAYMENTS_INVALID_QR', 'tag 52: the merchant category code is 4 digits');
    ELSIF v_fields ->> '53' IS DISTINCT FROM '404' THEN
        PERFORM core.raise('PAYMENTS_INVALID_QR', format('tag 53: currency %s; KE-QR is in 404 (KES)', v_fields ->> '53'));
    ELSIF v_fields ->> '58' IS DISTINCT FROM 'KE' THEN
        PERFORM core.raise('PAYMENTS_INVALID_QR', format('tag 58: country %s; KE-QR is KE', v_fields ->> '58'));
    ELSIF v_fields ->> '59' IS NULL OR v_fields ->> '60' IS NULL THEN
        PERFORM core.raise('PAYMENTS_INVALID_QR', 'tag 59/60: the merchant''s name and city are required');
    ELSIF v_fields ? '54' AND v_fields ->> '54' !~ '^[0-9]{1,10}(\.[0-9]{1,2})?$' THEN
        PERFORM core.raise('PAYMENTS_INVALID_QR', format('tag 54: %s is not an amount', v_fields ->> '54'));
    ELSIF v_fields ->> '01' = '12' AND NOT v_fields ? '54' THEN
        PERFORM core.raise('PAYMENTS_INVALID_QR', 'tag 54: a dynamic code carries its amount');
    END IF;
    RETURN jsonb_build_object(
        'initiation', CASE v_fields ->> '01' WHEN '11' THEN 'STATIC' ELSE 'DYNAMIC' END,
        'template', v_tmpl, 'provider_id', v_acct ->> '00', 'merchant_account', v_acct ->> '01',
        'mcc', v_fields ->> '52', 'currency', 'KES', 'amount', v_fields ->> '54', 'country', v_fields ->> '58',
        'name', v_fields ->> '59', 'city', v_fields ->> '60', 'reference', v_extra ->> '05');
END
$$;
COMMENT ON FUNCTION payments.parse_ke_qr(text) IS
'Parse a KE-QR payload: its CRC-16 (tag 63, last) checked first, then every TLV field, the merchant account template
(the first of 26-51, subtags 00 and 01) and the additional data (62, subtag 05 the reference), and the standard''s
rules (format 01, initiation 11 or 12, MCC, currency 404, country KE, name and city, an amount on a dynamic code, no
tag twice). Returns {initiation STATIC|DYNAMIC, template, provider_id, merchant_account, mcc, currency KES, amount
(text, NULL on a static code without one), country, name, city, reference}. Errors: PAYMENTS_INVALID_QR naming the tag.';

REVOKE ALL ON FUNCTION payments.crc16_ccitt_false(text), payments.qr_field(text, text), payments.qr_fields(text, text),
    payments.build_ke_qr(boolean, text, text, text, text, text, text, numeric, text), payments.parse_ke_qr(text) FROM PUBLIC;

COMMIT;
