-- Revert mercato:schemas/api/views from pg

BEGIN;

DROP VIEW api.settlement_lines, api.settlements, api.handovers, api.delivery_sessions, api.assignments,
    api.contract_lines, api.contract_parties, api.contracts, api.awards, api.bids, api.rfq_lines, api.rfqs, api.holds,
    api.transactions, api.entries, api.accounts, api.tier_changes, api.trust_score_events, api.vehicle_insurances,
    api.vehicles, api.providers, api.businesses;

COMMIT;
