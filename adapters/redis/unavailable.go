package redis

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/redis/go-redis/v9"

	"github.com/artauction/artauction/application"
)

// markUnavailable marks err with application.ErrUnavailable when it says Redis
// could not be reached or dropped the connection, so that it answers 503 and
// not 500; redis.Nil and command errors are left as they are.
func markUnavailable(err error) error {
	if err == nil || errors.Is(err, application.ErrUnavailable) || !lostRedis(err) {
		return err
	}
	return fmt.Errorf("%w: %w", application.ErrUnavailable, err)
}

func lostRedis(err error) bool {
	var netErr net.Error
	return errors.As(err, &netErr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, redis.ErrPoolTimeout) || errors.Is(err, redis.ErrClosed) ||
		// A Redis still loading its data, or a replica without its master.
		redis.HasErrorPrefix(err, "LOADING") || redis.HasErrorPrefix(err, "MASTERDOWN")
}

// unavailableHook marks the errors of every command and pipeline: each one
// passes through it, whichever store or lock sent it.
type unavailableHook struct{}

var _ redis.Hook = unavailableHook{}

func (unavailableHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (unavailableHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		return markUnavailable(next(ctx, cmd))
	}
}

func (unavailableHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		for _, cmd := range cmds {
			if cmdErr := cmd.Err(); cmdErr != nil {
				cmd.SetErr(markUnavailable(cmdErr))
			}
		}
		return markUnavailable(err)
	}
}
