package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, for the invariant checker
	"github.com/redis/go-redis/v9"
)

// server is the Postgres server the benchmark creates its own databases on.
type server struct {
	adminURL string
	// mu serializes the admin connection: databases are dropped in the
	// background while the next one is created.
	mu    sync.Mutex
	admin *pgx.Conn
}

// connectServer fails loudly when Postgres does not answer: a benchmark
// without its database measures nothing.
func connectServer(ctx context.Context, adminURL string) (*server, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return nil, fmt.Errorf("postgres at --database-url does not answer (run make test-services): %w", err)
	}
	return &server{adminURL: adminURL, admin: conn}, nil
}

func (s *server) close(ctx context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.admin.Close(ctx)
}

// createDatabase makes an empty database and returns its URL.
func (s *server) createDatabase(ctx context.Context, name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	u, err := url.Parse(s.adminURL)
	if err != nil {
		return "", fmt.Errorf("parse --database-url: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// dropDatabase removes a benchmark database, closing what still uses it.
func (s *server) dropDatabase(ctx context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

func (s *server) version(ctx context.Context) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var v string
	if err := s.admin.QueryRow(ctx, "SHOW server_version").Scan(&v); err != nil {
		return "unknown"
	}
	return v
}

// openSQL opens dsn through database/sql, as the invariant checker wants it.
func openSQL(dsn string) (*sql.DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dsn, err)
	}
	db.SetMaxOpenConns(2)
	return db, nil
}

// connectRedis fails loudly when Redis does not answer.
func connectRedis(ctx context.Context, redisURL string) (*redis.Client, error) {
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		return nil, fmt.Errorf("parse --redis-url: %w", err)
	}
	client := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("redis at --redis-url does not answer (run make test-services): %w", err)
	}
	return client, nil
}

// deleteKeys removes every key under prefix, which the benchmark made its own.
func deleteKeys(ctx context.Context, client *redis.Client, prefix string) error {
	iter := client.Scan(ctx, 0, prefix+"*", 500).Iterator()
	for iter.Next(ctx) {
		if err := client.Del(ctx, iter.Val()).Err(); err != nil {
			return fmt.Errorf("delete redis key %s: %w", iter.Val(), err)
		}
	}
	if err := iter.Err(); err != nil {
		return fmt.Errorf("scan redis keys %s*: %w", prefix, err)
	}
	return nil
}
