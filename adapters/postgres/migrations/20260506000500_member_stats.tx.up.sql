-- An artist's page shows how many works a member lists and has sold, and how
-- many members follow them and they follow. Counted on each read, a popular
-- artist's page (10,000 works, 100,000 followers) took 30 to 50 ms; these
-- counters, kept by triggers in the transaction of each change, make it one
-- row read in 0.03 ms (docs/decisions.md, Artists and follows).
CREATE TABLE member_stats (
    member_id       bigint PRIMARY KEY REFERENCES members (id),
    art_count       bigint NOT NULL DEFAULT 0,
    sold_count      bigint NOT NULL DEFAULT 0,
    follower_count  bigint NOT NULL DEFAULT 0,
    following_count bigint NOT NULL DEFAULT 0
);

-- "Whom I follow", the latest follow first, and the feed of their works.
CREATE INDEX follows_follower_recent_idx ON follows (follower_id, created_at DESC, followee_id);

-- The triggers add what a change did, one write per member, in ascending
-- member id: a follow and a follow back, each changing both members' rows,
-- never wait for each other in a cycle. A member's row is taken after the
-- art's and art_totals' rows and before any members row a trade then moves
-- points on, as every transaction takes them. No CHECK keeps the counters
-- from going below zero: an upsert checks the row it would insert, here a
-- delta; the invariant checks compare them with the rows they count.
CREATE FUNCTION member_stats_add(deltas member_stats[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO member_stats AS s (member_id, art_count, sold_count, follower_count, following_count)
    SELECT d.member_id, sum(d.art_count), sum(d.sold_count), sum(d.follower_count), sum(d.following_count)
    FROM unnest(deltas) AS d GROUP BY d.member_id ORDER BY d.member_id
    ON CONFLICT (member_id) DO UPDATE SET
        art_count = s.art_count + excluded.art_count,
        sold_count = s.sold_count + excluded.sold_count,
        follower_count = s.follower_count + excluded.follower_count,
        following_count = s.following_count + excluded.following_count
$$;

CREATE FUNCTION member_stats_arts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM member_stats_add(ARRAY(
        SELECT ROW(owner_id, count(*), count(*) FILTER (WHERE status = 'sold'), 0, 0)::member_stats
        FROM inserted GROUP BY owner_id));
    RETURN NULL;
END $$;

CREATE FUNCTION member_stats_arts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM member_stats_add(ARRAY(
        SELECT ROW(owner_id, -count(*), -count(*) FILTER (WHERE status = 'sold'), 0, 0)::member_stats
        FROM deleted GROUP BY owner_id));
    RETURN NULL;
END $$;

-- A sale moves an art to sold; an art changes status at most once.
CREATE FUNCTION member_stats_art_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM member_stats_add(ARRAY[ROW(NEW.owner_id, 0,
        (NEW.status = 'sold')::int - (OLD.status = 'sold')::int, 0, 0)::member_stats]);
    RETURN NULL;
END $$;

-- A follow or an unfollow changes two members' rows, in one write and id
-- order like every change. Per statement, not per row: a row trigger
-- updates one followee's row once per follower, and a bulk insert of 100,000
-- followers in one statement then walks ever longer chains of that row's
-- versions (it ran for over ten minutes; this takes 1.5 s more than no
-- trigger). A member's single follow costs the same either way.
CREATE FUNCTION member_stats_follows_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM member_stats_add(ARRAY(
        SELECT ROW(followee_id, 0, 0, 1, 0)::member_stats FROM inserted
        UNION ALL
        SELECT ROW(follower_id, 0, 0, 0, 1)::member_stats FROM inserted));
    RETURN NULL;
END $$;

CREATE FUNCTION member_stats_follows_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM member_stats_add(ARRAY(
        SELECT ROW(followee_id, 0, 0, -1, 0)::member_stats FROM deleted
        UNION ALL
        SELECT ROW(follower_id, 0, 0, 0, -1)::member_stats FROM deleted));
    RETURN NULL;
END $$;

CREATE TRIGGER member_stats_arts_insert AFTER INSERT ON arts
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION member_stats_arts_inserted();
CREATE TRIGGER member_stats_arts_delete AFTER DELETE ON arts
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION member_stats_arts_deleted();
CREATE TRIGGER member_stats_arts_status AFTER UPDATE OF status ON arts
    FOR EACH ROW WHEN ((OLD.status = 'sold') IS DISTINCT FROM (NEW.status = 'sold'))
    EXECUTE FUNCTION member_stats_art_status();
CREATE TRIGGER member_stats_follows_insert AFTER INSERT ON follows
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION member_stats_follows_inserted();
CREATE TRIGGER member_stats_follows_delete AFTER DELETE ON follows
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION member_stats_follows_deleted();

-- The rows already there.
INSERT INTO member_stats (member_id, art_count, sold_count, follower_count, following_count)
SELECT member_id, sum(arts), sum(sold), sum(followers), sum(following) FROM (
    SELECT owner_id AS member_id, count(*) AS arts, count(*) FILTER (WHERE status = 'sold') AS sold,
           0 AS followers, 0 AS following
    FROM arts GROUP BY owner_id
    UNION ALL
    SELECT followee_id, 0, 0, count(*), 0 FROM follows GROUP BY followee_id
    UNION ALL
    SELECT follower_id, 0, 0, 0, count(*) FROM follows GROUP BY follower_id
) AS counted GROUP BY member_id;
