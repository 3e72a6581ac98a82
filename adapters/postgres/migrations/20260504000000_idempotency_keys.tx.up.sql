-- Answered Idempotency-Keys (docs/rules.md, Lists and reads), each written in the transaction of its effect.

CREATE TABLE idempotency_keys (
    member_id    bigint      NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    operation    text        NOT NULL,
    key          text        NOT NULL CONSTRAINT idempotency_keys_key_length
                             CHECK (char_length(key) BETWEEN 1 AND 255),
    request_hash bytea       NOT NULL,
    status       smallint    NOT NULL,
    headers      jsonb       NOT NULL,
    body         bytea       NOT NULL,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (member_id, operation, key)
);

-- The purge deletes by age.
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
