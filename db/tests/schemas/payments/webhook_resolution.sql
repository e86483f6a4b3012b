-- Tests for schemas/payments/webhook_resolution: the resolutions table (append-only, no API grant) and its codes.
BEGIN;
SELECT plan(6);

SELECT has_table('payments', 'webhook_resolution', 'the resolutions table exists');
SELECT ok(NOT has_table_privilege(r, 'payments.webhook_resolution', p), format('%s has no %s on it', r, p))
  FROM unnest(ARRAY['mercato_user', 'mercato_service']) r, unnest(ARRAY['SELECT', 'INSERT']) p;
SELECT is((SELECT array_agg(code || '=' || sqlstate ORDER BY code) FROM core.error
            WHERE code IN ('PAYMENTS_UNKNOWN_WEBHOOK_EVENT', 'PAYMENTS_WEBHOOK_EVENT_FINAL',
                           'PAYMENTS_WEBHOOK_EVENT_UNPARSED', 'PAYMENTS_WEBHOOK_EVENT_FLAGGED')),
          ARRAY['PAYMENTS_UNKNOWN_WEBHOOK_EVENT=PT404', 'PAYMENTS_WEBHOOK_EVENT_FINAL=PT409',
                'PAYMENTS_WEBHOOK_EVENT_FLAGGED=PT409', 'PAYMENTS_WEBHOOK_EVENT_UNPARSED=PT409'],
          'the resolution codes with their HTTP statuses');

SELECT * FROM finish();
ROLLBACK;
