-- Follows between members and an auction's reserve price.

CREATE TABLE follows (
    follower_id bigint      NOT NULL REFERENCES members (id),
    followee_id bigint      NOT NULL REFERENCES members (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- One row per pair, so concurrent follows of one member make one row.
    PRIMARY KEY (follower_id, followee_id),
    CONSTRAINT follows_not_self CHECK (follower_id <> followee_id)
);

-- A member's followers, the latest follow first, and fanning a listing out to
-- them. The primary key serves "whom I follow".
CREATE INDEX follows_followee_idx ON follows (followee_id, created_at DESC, follower_id);

-- The least highest bid that sells; NULL is no reserve. The owner's bounds
-- (at least the starting price, below the buy-now price) are checked on
-- creation; the database only keeps it positive.
ALTER TABLE auctions ADD COLUMN reserve_price bigint
    CONSTRAINT auctions_reserve_price_positive CHECK (reserve_price > 0);
