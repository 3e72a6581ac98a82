package postgres

import (
	"github.com/artauction/artauction/application"
)

// ArtListStatement is the statement List runs for q and page, for EXPLAIN in
// tests, and whether it is planned for each call (else once, generically).
func ArtListStatement(q application.ArtQuery, page application.PageRequest) (text string, args []any, perCall bool, err error) {
	st, shape, err := artListStatementFor(q, page)
	if err != nil {
		return "", nil, false, err
	}
	return st.text, st.args, shape.planPerCall(), nil
}
