package bootstrap

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestImageStoreSettings(t *testing.T) {
	cfg, err := ParseConfig(map[string]string{})
	require.NoError(t, err)
	assert.Equal(t, "local", cfg.Images.Store)
	assert.Equal(t, S3Config{Region: "us-east-1", Bucket: "artauction-images", ForcePathStyle: true}, cfg.S3)

	cfg, err = ParseConfig(map[string]string{
		"IMAGE_STORE": "s3", "S3_ENDPOINT": "http://127.0.0.1:7070", "S3_REGION": "eu-west-3", "S3_BUCKET": "art-images",
		"S3_ACCESS_KEY_ID": "id", "S3_SECRET_ACCESS_KEY": "secret", "S3_FORCE_PATH_STYLE": "false",
	})
	require.NoError(t, err)
	assert.Equal(t, S3Config{Endpoint: "http://127.0.0.1:7070", Region: "eu-west-3", Bucket: "art-images",
		AccessKeyID: "id", SecretAccessKey: "secret"}, cfg.S3)

	_, err = ParseConfig(map[string]string{"IMAGE_STORE": "s3"})
	require.NoError(t, err, "AWS, with the default credentials")
	_, err = ParseConfig(map[string]string{"S3_BUCKET": "Not A Bucket"})
	require.NoError(t, err, "the S3 settings are checked only when they are used")

	for _, tc := range []struct {
		vars map[string]string
		want string
	}{
		{map[string]string{"IMAGE_STORE": "disk"}, "IMAGE_STORE"},
		{map[string]string{"IMAGE_STORE": "s3", "S3_ENDPOINT": "127.0.0.1:7070"}, "S3_ENDPOINT"},
		{map[string]string{"IMAGE_STORE": "s3", "S3_ENDPOINT": "ftp://store"}, "S3_ENDPOINT"},
		{map[string]string{"IMAGE_STORE": "s3", "S3_ENDPOINT": "http://store/images"}, "S3_ENDPOINT"},
		{map[string]string{"IMAGE_STORE": "s3", "S3_REGION": "US East"}, "S3_REGION"},
		{map[string]string{"IMAGE_STORE": "s3", "S3_BUCKET": "Images"}, "S3_BUCKET"},
		{map[string]string{"IMAGE_STORE": "s3", "S3_BUCKET": "ab"}, "S3_BUCKET"},
		{map[string]string{"IMAGE_STORE": "s3", "S3_BUCKET": "-images"}, "S3_BUCKET"},
		{map[string]string{"IMAGE_STORE": "s3", "S3_ACCESS_KEY_ID": "id"}, "S3_SECRET_ACCESS_KEY"},
		{map[string]string{"IMAGE_STORE": "s3", "S3_SECRET_ACCESS_KEY": "secret"}, "S3_ACCESS_KEY_ID"},
		{map[string]string{"S3_FORCE_PATH_STYLE": "sometimes"}, "S3_FORCE_PATH_STYLE"},
	} {
		_, err := ParseConfig(tc.vars)
		require.Error(t, err, "%v", tc.vars)
		assert.Contains(t, err.Error(), tc.want)
	}
}

func TestSettingsValidationLeavesS3ConfigAlone(t *testing.T) {
	c := S3Config{Endpoint: " http://x ", Region: "us-east-1", Bucket: "images", AccessKeyID: "id"}
	before := c
	require.Error(t, c.validate())
	assert.Equal(t, before, c)
}

// A second instance on the same host starts with only HTTP_ADDR changed: its
// admin listener follows its HTTP port.
func TestAdminAddrFollowsTheHTTPPort(t *testing.T) {
	for httpAddr, admin := range map[string]string{
		":8080":          "127.0.0.1:9091",
		":8081":          "127.0.0.1:9092",
		"127.0.0.1:8083": "127.0.0.1:9094",
		"127.0.0.1:0":    "127.0.0.1:0",
		":65000":         "127.0.0.1:0",
	} {
		cfg, err := ParseConfig(map[string]string{"HTTP_ADDR": httpAddr})
		require.NoError(t, err)
		assert.Equal(t, admin, cfg.Admin.Addr, "HTTP_ADDR=%s", httpAddr)
	}
	cfg, err := ParseConfig(map[string]string{"HTTP_ADDR": ":8081", "ADMIN_ADDR": "127.0.0.1:7000"})
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:7000", cfg.Admin.Addr, "a set ADMIN_ADDR wins")
}
