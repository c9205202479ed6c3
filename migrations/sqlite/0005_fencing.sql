-- Fenced jobs: each claim of a job gets a new number, and only the worker holding that claim
-- may extend its lock or record how it ended; a gateway that stalled past its lock and woke up
-- finds the job taken over and stops, instead of clearing the new claimant's lock.
ALTER TABLE jobs ADD COLUMN claim BIGINT NOT NULL DEFAULT 0;
