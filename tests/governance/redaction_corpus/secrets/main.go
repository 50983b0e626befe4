package main

// FAKE credentials for the redaction corpus.
import "database/sql"

const githubToken = "ghp_FAKEjToUjhwbBL0wghGNokmOICJIJFjyEd9d"

func open() (*sql.DB, error) {
	password := "go-FAKE-rz7MvjHbwM9M"
	apiToken := `6Xo9KMR9a2rA0Z2nOJ3wQPoIGxy12hyOvvYc`
	_ = apiToken
	return sql.Open("postgres", "postgres://svc:"+password+"@db:5432/app")
}
