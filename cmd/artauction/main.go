// Command artauction serves the art auction API; "artauction migrate" only
// applies the database migrations.
package main

import (
	"os"

	"github.com/artauction/artauction/bootstrap"
)

func main() {
	os.Exit(bootstrap.Main(os.Args[1:]))
}
