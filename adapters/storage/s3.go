package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/art"
)

var _ application.ImageStore = (*S3ImageStore)(nil)

// Bounds of one exchange with the object store. A store that does not accept a
// connection or answer the headers in time counts as down, so that a request
// answers 503 in seconds rather than hanging on it.
const (
	s3DialTimeout   = 3 * time.Second
	s3HeaderTimeout = 10 * time.Second
	// s3Attempts is how often a failed call is tried, the first time included.
	s3Attempts = 3
)

// S3Settings say where an S3-compatible object store is and how to sign in.
type S3Settings struct {
	// Endpoint is the store's base URL, such as http://127.0.0.1:7070; empty means AWS.
	Endpoint string
	Region   string
	Bucket   string
	// AccessKeyID and SecretAccessKey sign the requests; both empty means the
	// SDK's default credential chain (environment, shared files, an ECS or EC2 role).
	AccessKeyID     string
	SecretAccessKey string
	// ForcePathStyle addresses buckets as endpoint/bucket/key rather than as a
	// host name of their own, which stores outside AWS need.
	ForcePathStyle bool
}

// S3ImageStore keeps images as objects of one bucket in an S3-compatible store,
// shared by every instance of the service. Keys are those of LocalImageStore.
type S3ImageStore struct {
	client *s3.Client
	bucket string
	region string
}

// NewS3ImageStore builds a store from settings without calling it; EnsureBucket
// is the first call.
func NewS3ImageStore(ctx context.Context, settings S3Settings) (*S3ImageStore, error) {
	if settings.Bucket == "" || settings.Region == "" {
		return nil, errors.New("storage: an object store needs a bucket and a region")
	}
	if (settings.AccessKeyID == "") != (settings.SecretAccessKey == "") {
		return nil, errors.New("storage: give both an access key id and a secret access key, or neither")
	}
	httpClient := awshttp.NewBuildableClient().
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = s3DialTimeout }).
		WithTransportOptions(func(t *http.Transport) { t.ResponseHeaderTimeout = s3HeaderTimeout })
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(settings.Region),
		config.WithHTTPClient(httpClient),
		config.WithRetryMaxAttempts(s3Attempts),
	}
	if settings.AccessKeyID != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(settings.AccessKeyID, settings.SecretAccessKey, "")))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("storage: object store settings: %w", err)
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if settings.Endpoint != "" {
			o.BaseEndpoint = aws.String(settings.Endpoint)
		}
		o.UsePathStyle = settings.ForcePathStyle
	})
	return &S3ImageStore{client: client, bucket: settings.Bucket, region: settings.Region}, nil
}

// EnsureBucket makes the bucket when it is missing; one that exists already,
// made by another instance meanwhile or not, is fine.
func (s *S3ImageStore) EnsureBucket(ctx context.Context) error {
	_, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(s.bucket)})
	if err == nil {
		return nil
	}
	if !isNotFound(err) {
		return fmt.Errorf("storage: bucket %s: %w", s.bucket, markStoreUnavailable(err))
	}
	input := &s3.CreateBucketInput{Bucket: aws.String(s.bucket)}
	// us-east-1 is the one region that refuses to be named as a location.
	if s.region != "us-east-1" {
		input.CreateBucketConfiguration = &types.CreateBucketConfiguration{
			LocationConstraint: types.BucketLocationConstraint(s.region),
		}
	}
	_, err = s.client.CreateBucket(ctx, input)
	var owned *types.BucketAlreadyOwnedByYou
	if err != nil && !errors.As(err, &owned) {
		return fmt.Errorf("storage: create bucket %s: %w", s.bucket, markStoreUnavailable(err))
	}
	return nil
}

// Ping reports whether the store answers and the bucket is there.
func (s *S3ImageStore) Ping(ctx context.Context) error {
	if _, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(s.bucket)}); err != nil {
		return fmt.Errorf("storage: bucket %s: %w", s.bucket, markStoreUnavailable(err))
	}
	return nil
}

// Save uploads data under a new random key with the format's content type and
// returns the key. An object store writes an object whole or not at all.
func (s *S3ImageStore) Save(ctx context.Context, data []byte, format art.ImageFormat) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("storage: save image: %w", err)
	}
	key, err := newKey(format)
	if err != nil {
		return "", fmt.Errorf("storage: save image: %w", err)
	}
	// A bytes.Reader, not any io.Reader: over plain http the SDK signs the
	// payload's hash, so it must be able to read the body twice.
	_, err = s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(s.bucket),
		Key:           aws.String(key),
		Body:          bytes.NewReader(data),
		ContentLength: aws.Int64(int64(len(data))),
		ContentType:   aws.String(format.ContentType()),
	})
	if err != nil {
		return "", fmt.Errorf("storage: save image %s: %w", key, markStoreUnavailable(err))
	}
	return key, nil
}

// Open starts reading the object at key, so that a missing image (art.ErrNotFound)
// or a store that is down (application.ErrUnavailable) is known before anything
// is answered. The reader seeks by asking for the rest of the object from the
// new offset, which serves ranges without holding an image in memory.
func (s *S3ImageStore) Open(ctx context.Context, key string) (io.ReadSeekCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("storage: open image: %w", err)
	}
	if !validKey(key) {
		return nil, fmt.Errorf("storage: open image %q: %w", key, art.ErrNotFound)
	}
	fetch := func(from int64) (io.ReadCloser, int64, error) {
		input := &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)}
		if from > 0 {
			input.Range = aws.String(fmt.Sprintf("bytes=%d-", from))
		}
		out, err := s.client.GetObject(ctx, input)
		if isNotFound(err) {
			return nil, 0, fmt.Errorf("storage: open image %s: %w", key, art.ErrNotFound)
		}
		if err != nil {
			return nil, 0, fmt.Errorf("storage: open image %s: %w", key, markStoreUnavailable(err))
		}
		return out.Body, aws.ToInt64(out.ContentLength), nil
	}
	body, size, err := fetch(0)
	if err != nil {
		return nil, err
	}
	return &objectReader{fetch: fetch, body: body, size: size}, nil
}

// Delete removes the object at key; an object already gone is no error, a key
// Save could not have made is ErrInvalidKey.
func (s *S3ImageStore) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("storage: delete image: %w", err)
	}
	if !validKey(key) {
		return fmt.Errorf("%w: %q", ErrInvalidKey, key)
	}
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("storage: delete image %s: %w", key, markStoreUnavailable(err))
	}
	return nil
}

// isNotFound reports whether the store said there is no such object or bucket.
func isNotFound(err error) bool {
	if err == nil {
		return false
	}
	var noKey *types.NoSuchKey
	var noBucket *types.NoSuchBucket
	var notFound *types.NotFound
	var res *awshttp.ResponseError
	return errors.As(err, &noKey) || errors.As(err, &noBucket) || errors.As(err, &notFound) ||
		(errors.As(err, &res) && res.HTTPStatusCode() == http.StatusNotFound)
}

// markStoreUnavailable marks a failed call application.ErrUnavailable: whether
// the store cannot be reached, answers 5xx or refuses the service's keys, an
// image cannot be had now and the request answers 503. A cancelled request
// stays what it is.
func markStoreUnavailable(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, application.ErrUnavailable) {
		return err
	}
	return fmt.Errorf("%w: object store: %w", application.ErrUnavailable, err)
}

// objectReader reads an object from its current offset and seeks without a
// call: the next Read after a seek elsewhere asks for the object from there.
// http.ServeContent seeks to the end and back to learn the size, which costs
// nothing here.
type objectReader struct {
	fetch func(from int64) (io.ReadCloser, int64, error)
	size  int64
	// pos is the offset of the next Read; body, when open, continues at bodyPos.
	pos     int64
	body    io.ReadCloser
	bodyPos int64
}

func (r *objectReader) Read(p []byte) (int, error) {
	if r.pos >= r.size {
		return 0, io.EOF
	}
	if r.body == nil || r.bodyPos != r.pos {
		r.closeBody()
		body, _, err := r.fetch(r.pos)
		if err != nil {
			return 0, err
		}
		r.body, r.bodyPos = body, r.pos
	}
	n, err := r.body.Read(p)
	r.pos += int64(n)
	r.bodyPos = r.pos
	switch {
	case errors.Is(err, io.EOF) && r.pos < r.size:
		return n, fmt.Errorf("storage: image cut short at byte %d of %d: %w", r.pos, r.size, io.ErrUnexpectedEOF)
	case err != nil && !errors.Is(err, io.EOF):
		return n, fmt.Errorf("storage: read image: %w", markStoreUnavailable(err))
	}
	return n, err
}

func (r *objectReader) Seek(offset int64, whence int) (int64, error) {
	var pos int64
	switch whence {
	case io.SeekStart:
		pos = offset
	case io.SeekCurrent:
		pos = r.pos + offset
	case io.SeekEnd:
		pos = r.size + offset
	default:
		return r.pos, fmt.Errorf("storage: seek image: whence %d", whence)
	}
	if pos < 0 {
		return r.pos, errors.New("storage: seek image: negative position")
	}
	r.pos = pos
	return pos, nil
}

func (r *objectReader) Close() error {
	r.closeBody()
	return nil
}

func (r *objectReader) closeBody() {
	if r.body != nil {
		_ = r.body.Close()
		r.body = nil
	}
}
