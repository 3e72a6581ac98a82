package bootstrap

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/fx"
	"go.uber.org/zap"

	"github.com/artauction/artauction/adapters/background"
	httpapi "github.com/artauction/artauction/adapters/http"
	"github.com/artauction/artauction/adapters/storage"
	"github.com/artauction/artauction/application"
)

// S3Config is where the object store of IMAGE_STORE=s3 is and how to sign in.
type S3Config struct {
	// Endpoint is the store's base URL; unset means AWS.
	Endpoint string `env:"S3_ENDPOINT"`
	Region   string `env:"S3_REGION" envDefault:"us-east-1"`
	Bucket   string `env:"S3_BUCKET" envDefault:"artauction-images"`
	// Unset keys mean the SDK's default credentials (environment, shared files,
	// an ECS task or EC2 instance role).
	AccessKeyID     string `env:"S3_ACCESS_KEY_ID"`
	SecretAccessKey string `env:"S3_SECRET_ACCESS_KEY"`
	// ForcePathStyle addresses buckets as endpoint/bucket, which stores outside AWS need.
	ForcePathStyle bool `env:"S3_FORCE_PATH_STYLE" envDefault:"true"`
}

// bucketName is what S3 accepts as a bucket name (dots aside, which break
// virtual-host TLS): 3 to 63 lower-case letters, digits and hyphens.
var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)

var regionName = regexp.MustCompile(`^[a-z0-9-]+$`)

// validate checks the settings without changing them; every error names its variable.
func (c S3Config) validate() error {
	var errs []error
	if c.Endpoint != "" {
		u, err := url.Parse(c.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.User != nil {
			errs = append(errs, errors.New("S3_ENDPOINT: must be a base URL such as http://127.0.0.1:7070, or unset for AWS"))
		}
	}
	if !regionName.MatchString(c.Region) {
		errs = append(errs, fmt.Errorf("S3_REGION: must be a region name such as us-east-1, got %q", c.Region))
	}
	if !bucketName.MatchString(c.Bucket) {
		errs = append(errs, fmt.Errorf("S3_BUCKET: must be 3 to 63 lower-case letters, digits and hyphens, got %q", c.Bucket))
	}
	if (c.AccessKeyID == "") != (c.SecretAccessKey == "") {
		errs = append(errs, errors.New("S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: set both, or neither for the default credentials"))
	}
	return errors.Join(errs...)
}

func (c S3Config) settings() storage.S3Settings {
	return storage.S3Settings{
		Endpoint: c.Endpoint, Region: c.Region, Bucket: c.Bucket,
		AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, ForcePathStyle: c.ForcePathStyle,
	}
}

// validateImageStore checks IMAGE_STORE, and the S3 settings when they are used.
func validateImageStore(store string, s3 S3Config) error {
	switch store {
	case "local":
		return nil
	case "s3":
		return s3.validate()
	default:
		return fmt.Errorf("IMAGE_STORE: must be local or s3, got %q", store)
	}
}

// imageStoreChecks are the readiness checks of the image store: the object
// store's, or none for a local directory, which was checked at start.
type imageStoreChecks []httpapi.ReadinessCheck

type imageStoreOut struct {
	fx.Out
	Store  application.ImageStore
	Checks imageStoreChecks
}

// newImageStore is the store IMAGE_STORE names. An object store's bucket is
// made at start when missing; a store unreachable then stops the start.
func newImageStore(lc fx.Lifecycle, images ImageSettings, s3 S3Config) (imageStoreOut, error) {
	if images.Store != "s3" {
		store, err := storage.NewLocalImageStore(images.Dir)
		if err != nil {
			return imageStoreOut{}, fmt.Errorf("IMAGE_DIR: %w", err)
		}
		return imageStoreOut{Store: store}, nil
	}
	store, err := storage.NewS3ImageStore(context.Background(), s3.settings())
	if err != nil {
		return imageStoreOut{}, fmt.Errorf("IMAGE_STORE=s3: %w", err)
	}
	lc.Append(fx.Hook{OnStart: func(ctx context.Context) error {
		if err := store.EnsureBucket(ctx); err != nil {
			return fmt.Errorf("object store at %s: %w", s3.endpointName(), err)
		}
		return nil
	}})
	return imageStoreOut{Store: store, Checks: imageStoreChecks{{Name: "object store", Check: store.Ping}}}, nil
}

// endpointName is the endpoint for messages: AWS when unset.
func (c S3Config) endpointName() string {
	if c.Endpoint == "" {
		return "AWS S3 (" + c.Region + ")"
	}
	return c.Endpoint
}

// imageRemovalInterval is how often the worker looks for images to remove:
// a deleted art's image is gone from the store within seconds.
const imageRemovalInterval = time.Second

func startImageRemovalWorker(lc fx.Lifecycle, remove *application.RemoveImages, logger *zap.Logger) error {
	worker, err := background.NewPeriodic("image removals", remove, imageRemovalInterval, logger)
	if err != nil {
		return err
	}
	lc.Append(fx.Hook{OnStart: worker.Start, OnStop: worker.Stop})
	return nil
}

// registerImageRemovalBacklog exposes how many images wait to be removed: a
// backlog that grows says the image store has been refusing for a while.
func registerImageRemovalBacklog(reg *prometheus.Registry, removals application.ImageRemovals) error {
	return reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "image_removals_backlog",
		Help: "Images of deleted arts not yet removed from the image store.",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, err := removals.Pending(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	}))
}
