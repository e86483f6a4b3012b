-- Revert mercato:functions/identity/organizations from pg

BEGIN;

DROP TRIGGER organization_owner_check ON identity.organization;
DROP TRIGGER membership_owner_count ON identity.membership;
DROP FUNCTION identity.organization_members(bigint), identity.my_organizations(),
    identity.set_organization_status(bigint, text), identity.remove_member(bigint, bigint),
    identity.set_member_role(bigint, bigint, text), identity.add_member(bigint, bigint, text, text),
    identity.authorize_member_change(identity.organization, text, text), identity.lock_organization(bigint),
    identity.organization_owner_check_trg(), identity.membership_owner_count_trg(),
    identity.open_organization(text, bigint, text, bigint), identity.acts_for(bigint, text),
    identity.member_role(bigint), identity.acting_organization(text, boolean), identity.claimed_organization(boolean),
    identity.role_rank(text);

COMMIT;
