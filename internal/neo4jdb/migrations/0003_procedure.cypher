// Indexes of the handover workflow and supervision (docs/graph-model.md).
CREATE RANGE INDEX deadline_end IF NOT EXISTS FOR (n:Deadline) ON (n.status, n.endAt);
CREATE RANGE INDEX deadline_case IF NOT EXISTS FOR (n:Deadline) ON (n.caseUid);
CREATE RANGE INDEX handover_inbox IF NOT EXISTS FOR (n:Handover) ON (n.toAgency, n.status, n.sentAt);
