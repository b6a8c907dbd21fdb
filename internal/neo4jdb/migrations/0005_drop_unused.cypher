// Indexes no query uses any more: handover_status (the inbox uses
// handover_inbox), deadline_due and deadline_end (alerts use
// deadline_open_end).
DROP INDEX handover_status IF EXISTS;
DROP INDEX deadline_due IF EXISTS;
DROP INDEX deadline_end IF EXISTS;
