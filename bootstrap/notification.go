package bootstrap

import (
	"time"

	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/fx"
	"go.uber.org/zap"

	"github.com/artauction/artauction/adapters/background"
	httpapi "github.com/artauction/artauction/adapters/http"
	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/adapters/redis"
	"github.com/artauction/artauction/application"
)

func newNotificationPublisher(c *goredis.Client, cfg Config, m application.LiveMetrics,
	l *zap.Logger) postgres.NotificationsAfterCommit {
	return postgres.NewNotificationsAfterCommit(redis.NewNotificationPublisher(c, cfg.RedisKeyPrefix, m, l))
}

// newWorkPollInterval is how often an idle fan-out worker looks for new works
// to tell followers of: a listing reaches them well within 5 s.
const newWorkPollInterval = 250 * time.Millisecond

func startNewWorkFanOut(lc fx.Lifecycle, fanOut *application.FanOutNewWork, logger *zap.Logger) error {
	worker, err := background.NewPeriodic("new work fan-out", fanOut, newWorkPollInterval, logger)
	if err != nil {
		return err
	}
	lc.Append(fx.Hook{OnStart: worker.Start, OnStop: worker.Stop})
	return nil
}

func newNotificationUseCases(list *application.ListNotifications, count *application.CountUnreadNotifications,
	read *application.MarkNotificationRead, readAll *application.MarkAllNotificationsRead) httpapi.NotificationUseCases {
	return httpapi.NotificationUseCases{List: list, CountUnread: count, MarkRead: read, MarkAllRead: readAll}
}

var notificationModule = fx.Module("notification",
	fx.Provide(
		fx.Annotate(postgres.NewNotifier, fx.As(new(application.Notifier))),
		fx.Annotate(newNotificationPublisher, fx.As(new(application.NotificationPublisher))),
		fx.Annotate(postgres.NewNotificationStore,
			fx.As(new(application.NotificationStore)), fx.As(new(application.NotificationHistory))),
		fx.Annotate(postgres.NewNewWorkFanOuts, fx.As(new(application.NewWorkFanOuts))),
		application.NewFanOutNewWork,
		application.NewListNotifications,
		application.NewCountUnreadNotifications,
		application.NewMarkNotificationRead,
		application.NewMarkAllNotificationsRead,
		newNotificationUseCases,
	),
	fx.Invoke(startNewWorkFanOut),
)
