// Indexes for the lookups the API makes; docs/graph-model.md says which
// query uses which.
CREATE RANGE INDEX case_filed_at IF NOT EXISTS FOR (n:Case) ON (n.filedAt);
CREATE RANGE INDEX case_agency_filed IF NOT EXISTS FOR (n:Case) ON (n.agencyCode, n.filedAt);
CREATE RANGE INDEX case_stage IF NOT EXISTS FOR (n:Case) ON (n.stage);
CREATE RANGE INDEX case_kind IF NOT EXISTS FOR (n:Case) ON (n.kind);
CREATE RANGE INDEX case_updated_at IF NOT EXISTS FOR (n:Case) ON (n.updatedAt);
CREATE RANGE INDEX person_name IF NOT EXISTS FOR (n:Person) ON (n.name);
CREATE RANGE INDEX person_updated_at IF NOT EXISTS FOR (n:Person) ON (n.updatedAt);
CREATE RANGE INDEX handover_status IF NOT EXISTS FOR (n:Handover) ON (n.status);
CREATE RANGE INDEX deadline_due IF NOT EXISTS FOR (n:Deadline) ON (n.status, n.dueAt);
