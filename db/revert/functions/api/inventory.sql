-- Revert mercato:functions/api/inventory from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION api.inventory_check();
DROP FUNCTION api.ship_reservation(bigint, integer, bigint);
DROP FUNCTION api.release_reservations(core.name_text, core.name_text, core.name_text, bigint);
DROP FUNCTION api.release_reservation(bigint, bigint);
DROP FUNCTION api.reserve_stock(core.json_doc, core.name_text, core.name_text, core.name_text, core.finite_timestamptz,
                                core.name_text, bigint);
DROP FUNCTION api.set_channel_buffer(bigint, bigint, core.name_text, integer, bigint);
DROP FUNCTION api.set_stock_settings(bigint, bigint, integer, integer, integer, core.finite_timestamptz, bigint);
DROP FUNCTION api.set_unavailable_stock(bigint, bigint, integer, bigint);
DROP FUNCTION api.transfer_stock(bigint, bigint, bigint, integer, core.long_text, bigint);
DROP FUNCTION api.count_stock(bigint, bigint, integer, integer, core.finite_timestamptz, bigint);
DROP FUNCTION api.adjust_stock(bigint, bigint, integer, core.long_text, core.name_text, core.name_text, core.name_text,
                               bigint);
DROP FUNCTION api.receive_stock(bigint, bigint, integer, numeric, core.name_text, core.name_text, core.name_text,
                                core.name_text, core.long_text, bigint);
DROP FUNCTION api.stock_levels(bigint, bigint, bigint);
DROP FUNCTION api.inventory_location_list(bigint);
DROP FUNCTION api.update_inventory_location(bigint, core.name_text, integer, boolean, core.name_text, bigint);
DROP FUNCTION api.create_inventory_location(core.name_text, core.name_text, core.name_text, integer, boolean, bigint);
DROP VIEW api.inventory_reservations;
DROP VIEW api.inventory_movements;
DROP VIEW api.inventory_channel_buffers;
DROP VIEW api.inventory_summary;
DROP VIEW api.inventory_stock;
DROP VIEW api.inventory_locations;

COMMIT;
