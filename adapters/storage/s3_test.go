package storage_test

import (
	"context"
	"net"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/storage"
	"github.com/artauction/artauction/adapters/storage/s3test"
	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/art"
)

// What only the object store promises; the contract both stores keep is in
// imagestore_contract_test.go.

func TestS3ImageStoreMakesTheBucketWhenMissing(t *testing.T) {
	t.Parallel()
	settings := s3test.New(t)
	ctx := context.Background()
	s, err := storage.NewS3ImageStore(ctx, settings)
	require.NoError(t, err)
	require.Error(t, s.Ping(ctx), "no bucket yet")

	require.NoError(t, s.EnsureBucket(ctx))
	require.NoError(t, s.Ping(ctx))
	_, err = s3test.Client(settings).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(settings.Bucket)})
	require.NoError(t, err, "the bucket is in the store")

	// Every instance makes sure of the bucket at its start.
	other, err := storage.NewS3ImageStore(ctx, settings)
	require.NoError(t, err)
	require.NoError(t, other.EnsureBucket(ctx), "a bucket already there is fine")
	key, err := s.Save(ctx, []byte("shared"), art.FormatPNG)
	require.NoError(t, err)
	assert.Equal(t, []byte("shared"), readAll(t, other, key), "another instance reads what one saved")
}

func TestS3ImageStoreObjectsCarryTheirContentType(t *testing.T) {
	t.Parallel()
	s, settings := newS3Store(t)
	ctx := context.Background()
	for _, format := range []art.ImageFormat{art.FormatPNG, art.FormatJPEG, art.FormatWebP} {
		key, err := s.Save(ctx, []byte("bytes of "+string(format)), format)
		require.NoError(t, err)
		head, err := s3test.Client(settings).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(settings.Bucket), Key: aws.String(key)})
		require.NoError(t, err)
		assert.Equal(t, format.ContentType(), aws.ToString(head.ContentType))
		assert.Equal(t, int64(len("bytes of "+string(format))), aws.ToInt64(head.ContentLength))
	}
	assert.Len(t, s3test.Keys(t, settings), 3, "one object per image, nothing else")
}

// A store that cannot be reached, or that refuses the service's keys, makes
// every call fail as application.ErrUnavailable, which answers 503.
func TestS3ImageStoreUnavailable(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closedPort := "http://" + ln.Addr().String()
	require.NoError(t, ln.Close())

	reachable := s3test.New(t)
	wrongSecret := reachable
	wrongSecret.SecretAccessKey = "not-the-secret"
	gone := reachable
	gone.Endpoint = closedPort

	for name, settings := range map[string]storage.S3Settings{"nothing listens": gone, "wrong secret": wrongSecret} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s, err := storage.NewS3ImageStore(ctx, settings)
			require.NoError(t, err, "the constructor calls nobody")
			require.ErrorIs(t, s.EnsureBucket(ctx), application.ErrUnavailable)
			require.ErrorIs(t, s.Ping(ctx), application.ErrUnavailable)
			_, err = s.Save(ctx, []byte("x"), art.FormatPNG)
			require.ErrorIs(t, err, application.ErrUnavailable)
			_, err = s.Open(ctx, "ab/ab0123456789abcdef0123456789abcd.png")
			require.ErrorIs(t, err, application.ErrUnavailable)
			require.ErrorIs(t, s.Delete(ctx, "ab/ab0123456789abcdef0123456789abcd.png"), application.ErrUnavailable)
		})
	}
}

func TestNewS3ImageStoreRefusesIncompleteSettings(t *testing.T) {
	good := storage.S3Settings{Region: "us-east-1", Bucket: "images", AccessKeyID: "id", SecretAccessKey: "secret"}
	for name, change := range map[string]func(*storage.S3Settings){
		"no bucket":    func(s *storage.S3Settings) { s.Bucket = "" },
		"no region":    func(s *storage.S3Settings) { s.Region = "" },
		"id alone":     func(s *storage.S3Settings) { s.SecretAccessKey = "" },
		"secret alone": func(s *storage.S3Settings) { s.AccessKeyID = "" },
	} {
		t.Run(name, func(t *testing.T) {
			settings := good
			change(&settings)
			_, err := storage.NewS3ImageStore(context.Background(), settings)
			require.Error(t, err)
		})
	}
	_, err := storage.NewS3ImageStore(context.Background(), good)
	require.NoError(t, err)
}
