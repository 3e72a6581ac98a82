// Package s3test gives tests a bucket of their own in a real S3-compatible
// object store (the one scripts/ensure-objectstore.sh starts for make test),
// emptied and removed when the test ends.
package s3test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/artauction/artauction/adapters/storage"
)

// Where the tests' store is when TEST_S3_ENDPOINT, TEST_S3_ACCESS_KEY_ID and
// TEST_S3_SECRET_ACCESS_KEY are not set: the throwaway store of the scripts.
const (
	DefaultEndpoint        = "http://127.0.0.1:7070"
	DefaultAccessKeyID     = "artauction"
	DefaultSecretAccessKey = "artauction-dev-secret"
	Region                 = "us-east-1"
)

func fromEnv(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// Endpoint is the base URL of the tests' store.
func Endpoint() string { return fromEnv("TEST_S3_ENDPOINT", DefaultEndpoint) }

// New returns settings of the tests' store with a bucket name of this test's
// own, not yet made (the image store makes it at start). At cleanup the bucket,
// if there, is emptied and removed. An unreachable store fails the test: a
// missing service must not pass silently.
func New(t testing.TB) storage.S3Settings {
	t.Helper()
	settings := storage.S3Settings{
		Endpoint:        Endpoint(),
		Region:          Region,
		AccessKeyID:     fromEnv("TEST_S3_ACCESS_KEY_ID", DefaultAccessKeyID),
		SecretAccessKey: fromEnv("TEST_S3_SECRET_ACCESS_KEY", DefaultSecretAccessKey),
		ForcePathStyle:  true,
		Bucket:          "test-" + randomHex(t),
	}
	client := Client(settings)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := client.ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
		t.Fatalf("s3test: the object store at %s is unreachable or refuses the test keys: %v; start it "+
			"(make test runs scripts/ensure-objectstore.sh) or point TEST_S3_ENDPOINT at one", settings.Endpoint, err)
	}
	t.Cleanup(func() {
		// The test's context is already cancelled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := removeBucket(ctx, client, settings.Bucket); err != nil {
			t.Errorf("s3test: remove bucket %s: %v", settings.Bucket, err)
		}
	})
	return settings
}

// Client is a plain SDK client of the store, for tests to look behind the image store.
func Client(settings storage.S3Settings) *s3.Client {
	return s3.New(s3.Options{
		BaseEndpoint: aws.String(settings.Endpoint),
		Region:       settings.Region,
		UsePathStyle: settings.ForcePathStyle,
		Credentials:  credentials.NewStaticCredentialsProvider(settings.AccessKeyID, settings.SecretAccessKey, ""),
	})
}

// Keys lists every object of the settings' bucket, failing the test on an error.
func Keys(t testing.TB, settings storage.S3Settings) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	keys, err := listKeys(ctx, Client(settings), settings.Bucket)
	if err != nil {
		t.Fatalf("s3test: list bucket %s: %v", settings.Bucket, err)
	}
	return keys
}

func listKeys(ctx context.Context, client *s3.Client, bucket string) ([]string, error) {
	var keys []string
	pages := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys, nil
}

func removeBucket(ctx context.Context, client *s3.Client, bucket string) error {
	keys, err := listKeys(ctx, client, bucket)
	var noBucket *types.NoSuchBucket
	if errors.As(err, &noBucket) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, key := range keys {
		if _, err := client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err != nil {
			return err
		}
	}
	_, err = client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)})
	return err
}

// randomHex is a bucket name suffix: hex is lower-case, as bucket names must be.
func randomHex(t testing.TB) string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("s3test: random bucket name: %v", err)
	}
	return hex.EncodeToString(b)
}
