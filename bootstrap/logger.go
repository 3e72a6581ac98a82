package bootstrap

import (
	"fmt"

	"go.uber.org/fx"
	"go.uber.org/fx/fxevent"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// newLogger builds the JSON logger at LOG_LEVEL.
func newLogger(app AppSettings) (*zap.Logger, error) {
	level, err := zapcore.ParseLevel(app.LogLevel)
	if err != nil {
		return nil, fmt.Errorf("LOG_LEVEL: %w", err)
	}
	zc := zap.NewProductionConfig()
	zc.Level = zap.NewAtomicLevelAt(level)
	zc.EncoderConfig.TimeKey = "time"
	zc.EncoderConfig.EncodeTime = zapcore.ISO8601TimeEncoder
	logger, err := zc.Build()
	if err != nil {
		return nil, fmt.Errorf("build logger: %w", err)
	}
	return logger, nil
}

// loggingOptions give every component the logger and make it fx's own logger.
// They stay outside any fx.Module: a logger set inside a module is that module's only.
var loggingOptions = fx.Options(
	fx.Provide(newLogger),
	fx.WithLogger(func(l *zap.Logger) fxevent.Logger {
		fxLogger := &fxevent.ZapLogger{Logger: l.Named("fx")}
		// fx narrates every provide; keep that out of info-level logs.
		fxLogger.UseLogLevel(zapcore.DebugLevel)
		return fxLogger
	}),
)
