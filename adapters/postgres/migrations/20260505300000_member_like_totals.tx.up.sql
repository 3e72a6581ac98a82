-- How many arts each member likes, so that the total of /me/likes reads one
-- row instead of counting the member's likes. Kept by statement triggers on
-- art_likes; rows are written in member order, so that a deleted art's likes
-- never wait in a cycle with a member's own likes.
CREATE TABLE member_like_totals (
    member_id bigint NOT NULL PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
    art_count bigint NOT NULL
);

CREATE FUNCTION member_like_totals_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO member_like_totals AS t (member_id, art_count)
    SELECT member_id, count(*) FROM inserted GROUP BY 1 ORDER BY 1
    ON CONFLICT (member_id) DO UPDATE SET art_count = t.art_count + excluded.art_count;
    RETURN NULL;
END $$;

CREATE FUNCTION member_like_totals_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Locked in member order first: an UPDATE ... FROM takes its rows in the
    -- order of its join.
    PERFORM 1 FROM member_like_totals AS t
    WHERE t.member_id IN (SELECT member_id FROM deleted)
    ORDER BY t.member_id FOR UPDATE;
    UPDATE member_like_totals AS t SET art_count = t.art_count - d.n
    FROM (SELECT member_id, count(*) AS n FROM deleted GROUP BY 1) AS d
    WHERE t.member_id = d.member_id;
    RETURN NULL;
END $$;

CREATE TRIGGER member_like_totals_insert AFTER INSERT ON art_likes
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION member_like_totals_after_insert();
CREATE TRIGGER member_like_totals_delete AFTER DELETE ON art_likes
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION member_like_totals_after_delete();

-- The likes already there.
INSERT INTO member_like_totals (member_id, art_count)
SELECT member_id, count(*) FROM art_likes GROUP BY 1;
