package postgres

import (
	"github.com/artauction/artauction/application"
)

// ListSQL is the page query List runs for q and page, for EXPLAIN in tests.
func (s *ArtStore) ListSQL(q application.ArtQuery, page application.PageRequest) (string, error) {
	var rows []artListRow
	query, err := s.listQuery(s.db, q, page, &rows)
	if err != nil {
		return "", err
	}
	return query.String(), nil
}

// CountSQL is the count query List runs for q.
func (s *ArtStore) CountSQL(q application.ArtQuery) string {
	return s.countQuery(s.db, q).ColumnExpr("count(*)").String()
}
