package bootstrap

import (
	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/fx"
	"go.uber.org/zap"

	httpapi "github.com/artauction/artauction/adapters/http"
	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/adapters/redis"
	"github.com/artauction/artauction/application"
)

func newNotificationPublisher(c *goredis.Client, cfg Config, m application.LiveMetrics,
	l *zap.Logger) postgres.NotificationsAfterCommit {
	return postgres.NewNotificationsAfterCommit(redis.NewNotificationPublisher(c, cfg.RedisKeyPrefix, m, l))
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
		application.NewListNotifications,
		application.NewCountUnreadNotifications,
		application.NewMarkNotificationRead,
		application.NewMarkAllNotificationsRead,
		newNotificationUseCases,
	),
)
