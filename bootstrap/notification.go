package bootstrap

import (
	"fmt"
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

func newNotificationPublisher(c *goredis.Client, settings RedisSettings, m application.LiveMetrics,
	l *zap.Logger) postgres.NotificationsAfterCommit {
	return postgres.NewNotificationsAfterCommit(redis.NewNotificationPublisher(c, settings.KeyPrefix, m, l))
}

// The new-work fan-out workers of one instance: an idle one looks for new
// works every newWorkPollInterval, so a listing starts reaching its artist's
// followers within it; newWorkWorkers tell the parts of a large following at
// once.
const (
	newWorkPollInterval = 250 * time.Millisecond
	newWorkWorkers      = 2
)

func startNewWorkFanOut(lc fx.Lifecycle, fanOut *application.FanOutNewWork, logger *zap.Logger) error {
	for i := range newWorkWorkers {
		worker, err := background.NewPeriodic(fmt.Sprintf("new work fan-out %d", i+1), fanOut, newWorkPollInterval, logger)
		if err != nil {
			return err
		}
		lc.Append(fx.Hook{OnStart: worker.Start, OnStop: worker.Stop})
	}
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
