package application_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/application/mock"
	"github.com/artauction/artauction/domain/auth"
	"github.com/artauction/artauction/domain/member"
)

type requestCodeFixture struct {
	members *mock.MockMemberStore
	codes   *mock.MockVerificationCodes
	secrets *mock.MockSecrets
	outbox  *mock.MockMailOutbox
	limiter *mock.MockRateLimiter
	uc      *application.RequestVerificationCode
}

func newRequestCodeFixture(t *testing.T) requestCodeFixture {
	t.Helper()
	ctrl := gomock.NewController(t)
	f := requestCodeFixture{
		members: mock.NewMockMemberStore(ctrl),
		codes:   mock.NewMockVerificationCodes(ctrl),
		secrets: mock.NewMockSecrets(ctrl),
		outbox:  mock.NewMockMailOutbox(ctrl),
		limiter: mock.NewMockRateLimiter(ctrl),
	}
	f.uc = application.NewRequestVerificationCode(f.members, f.codes, f.secrets, f.outbox, f.limiter)
	return f
}

const requestIP = "203.0.113.9"

// allowAllLimits lets the three rules of a code request through.
func (f requestCodeFixture) allowAllLimits() {
	f.limiter.EXPECT().Take(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil).Times(3)
}

func TestRequestVerificationCodeReportsEveryBadField(t *testing.T) {
	f := newRequestCodeFixture(t)

	_, err := f.uc.Execute(context.Background(), application.RequestVerificationCodeCommand{
		Email: "not-an-email", Purpose: "login", ClientIP: requestIP,
	})

	assert.Equal(t, []string{"email", "purpose"}, validationFieldNames(t, err))
}

func TestRequestVerificationCodeTakesRateLimitsInOrder(t *testing.T) {
	f := newRequestCodeFixture(t)
	ctx := context.Background()
	gomock.InOrder(
		f.limiter.EXPECT().Take(ctx, application.CodesPerIPHour, requestIP).Return(nil),
		f.limiter.EXPECT().Take(ctx, application.CodesPerEmailMinute, "alice@example.com").Return(nil),
		f.limiter.EXPECT().Take(ctx, application.CodesPerEmailHour, "alice@example.com").Return(nil),
		f.members.EXPECT().EmailExists(ctx, member.Email("alice@example.com")).Return(false, nil),
	)
	f.secrets.EXPECT().VerificationCode().Return("123456", nil)
	f.codes.EXPECT().Save(ctx, auth.PurposeSignup, member.Email("alice@example.com"), "123456", gomock.Any()).Return(nil)
	f.outbox.EXPECT().Enqueue(ctx, gomock.Any()).Return(nil)

	_, err := f.uc.Execute(ctx, application.RequestVerificationCodeCommand{
		Email: " Alice@Example.com ", Purpose: "signup", ClientIP: requestIP,
	})

	require.NoError(t, err)
}

func TestRequestVerificationCodeRateLimitsMatchTheAPI(t *testing.T) {
	tests := []struct {
		rule   application.RateRule
		limit  int
		window time.Duration
	}{
		{rule: application.CodesPerEmailMinute, limit: 1, window: time.Minute},
		{rule: application.CodesPerEmailHour, limit: 5, window: time.Hour},
		{rule: application.CodesPerIPHour, limit: 20, window: time.Hour},
	}
	names := map[string]bool{}
	for _, tt := range tests {
		assert.Equal(t, tt.limit, tt.rule.Limit, tt.rule.Name)
		assert.Equal(t, tt.window, tt.rule.Window, tt.rule.Name)
		assert.NotEmpty(t, tt.rule.Name)
		names[tt.rule.Name] = true
	}
	assert.Len(t, names, len(tests), "every rule counts under its own name")
}

func TestRequestVerificationCodeStopsAtTheFirstUsedUpLimit(t *testing.T) {
	rules := []application.RateRule{
		application.CodesPerIPHour, application.CodesPerEmailMinute, application.CodesPerEmailHour,
	}
	for limited, rule := range rules {
		t.Run(rule.Name, func(t *testing.T) {
			f := newRequestCodeFixture(t)
			limitedErr := &application.RateLimitedError{Rule: rule.Name, RetryAfter: 42 * time.Second}
			var calls []any
			for i := 0; i <= limited; i++ {
				var result error
				if i == limited {
					result = limitedErr
				}
				calls = append(calls, f.limiter.EXPECT().Take(gomock.Any(), rules[i], gomock.Any()).Return(result))
			}
			gomock.InOrder(calls...)
			// No EmailExists, code, Save or Enqueue: gomock fails on any of them.

			_, err := f.uc.Execute(context.Background(), application.RequestVerificationCodeCommand{
				Email: "alice@example.com", Purpose: "signup", ClientIP: requestIP,
			})

			var rateErr *application.RateLimitedError
			require.ErrorAs(t, err, &rateErr)
			assert.Equal(t, rule.Name, rateErr.Rule)
			assert.Equal(t, 42*time.Second, rateErr.RetryAfter)
		})
	}
}

func TestRequestVerificationCodeForSignupOfARegisteredEmail(t *testing.T) {
	f := newRequestCodeFixture(t)
	f.allowAllLimits()
	f.members.EXPECT().EmailExists(gomock.Any(), member.Email("alice@example.com")).Return(true, nil)

	_, err := f.uc.Execute(context.Background(), application.RequestVerificationCodeCommand{
		Email: "alice@example.com", Purpose: "signup", ClientIP: requestIP,
	})

	assert.ErrorIs(t, err, member.ErrEmailTaken)
}

func TestRequestVerificationCodeForPasswordResetOfAnUnknownEmailSendsNothing(t *testing.T) {
	f := newRequestCodeFixture(t)
	f.allowAllLimits()
	f.members.EXPECT().EmailExists(gomock.Any(), member.Email("nobody@example.com")).Return(false, nil)
	// No code is made or saved and no mail is enqueued: gomock fails on any of them.

	expiresIn, err := f.uc.Execute(context.Background(), application.RequestVerificationCodeCommand{
		Email: "nobody@example.com", Purpose: "password_reset", ClientIP: requestIP,
	})

	require.NoError(t, err)
	assert.Equal(t, 600*time.Second, expiresIn, "the same answer as for a member")
}

func TestRequestVerificationCodeSavesAndMailsTheCode(t *testing.T) {
	tests := []struct {
		purpose    string
		registered bool
	}{
		{purpose: "signup", registered: false},
		{purpose: "password_reset", registered: true},
	}
	for _, tt := range tests {
		t.Run(tt.purpose, func(t *testing.T) {
			f := newRequestCodeFixture(t)
			ctx := context.Background()
			email := member.Email("alice@example.com")
			f.allowAllLimits()
			f.members.EXPECT().EmailExists(ctx, email).Return(tt.registered, nil)
			f.secrets.EXPECT().VerificationCode().Return("042917", nil)
			var sent application.Mail
			gomock.InOrder(
				f.codes.EXPECT().Save(ctx, auth.Purpose(tt.purpose), email, "042917", 10*time.Minute).Return(nil),
				f.outbox.EXPECT().Enqueue(ctx, gomock.Any()).DoAndReturn(func(_ context.Context, m application.Mail) error {
					sent = m
					return nil
				}),
			)

			expiresIn, err := f.uc.Execute(ctx, application.RequestVerificationCodeCommand{
				Email: "ALICE@example.com", Purpose: tt.purpose, ClientIP: requestIP,
			})

			require.NoError(t, err)
			assert.Equal(t, 600*time.Second, expiresIn)
			assert.Equal(t, "alice@example.com", sent.To)
			assert.NotEmpty(t, sent.Subject)
			assert.Contains(t, sent.Text, "042917")
		})
	}
}

func TestRequestVerificationCodeMailsDifferForSignupAndReset(t *testing.T) {
	subjects := map[string]string{}
	for _, tc := range []struct {
		purpose    string
		registered bool
	}{{"signup", false}, {"password_reset", true}} {
		f := newRequestCodeFixture(t)
		f.allowAllLimits()
		f.members.EXPECT().EmailExists(gomock.Any(), gomock.Any()).Return(tc.registered, nil)
		f.secrets.EXPECT().VerificationCode().Return("111111", nil)
		f.codes.EXPECT().Save(gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any()).Return(nil)
		f.outbox.EXPECT().Enqueue(gomock.Any(), gomock.Any()).DoAndReturn(func(_ context.Context, m application.Mail) error {
			subjects[tc.purpose] = m.Subject
			return nil
		})

		_, err := f.uc.Execute(context.Background(), application.RequestVerificationCodeCommand{
			Email: "alice@example.com", Purpose: tc.purpose, ClientIP: requestIP,
		})
		require.NoError(t, err)
	}

	assert.NotEqual(t, subjects["signup"], subjects["password_reset"])
}

func TestRequestVerificationCodeFailures(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name    string
		arrange func(f requestCodeFixture)
	}{
		{
			name: "email lookup fails",
			arrange: func(f requestCodeFixture) {
				f.members.EXPECT().EmailExists(gomock.Any(), gomock.Any()).Return(false, boom)
			},
		},
		{
			name: "no random code",
			arrange: func(f requestCodeFixture) {
				f.members.EXPECT().EmailExists(gomock.Any(), gomock.Any()).Return(false, nil)
				f.secrets.EXPECT().VerificationCode().Return("", boom)
			},
		},
		{
			name: "saving the code fails, so no mail",
			arrange: func(f requestCodeFixture) {
				f.members.EXPECT().EmailExists(gomock.Any(), gomock.Any()).Return(false, nil)
				f.secrets.EXPECT().VerificationCode().Return("123456", nil)
				f.codes.EXPECT().Save(gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any()).Return(boom)
			},
		},
		{
			name: "enqueueing the mail fails",
			arrange: func(f requestCodeFixture) {
				f.members.EXPECT().EmailExists(gomock.Any(), gomock.Any()).Return(false, nil)
				f.secrets.EXPECT().VerificationCode().Return("123456", nil)
				f.codes.EXPECT().Save(gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any()).Return(nil)
				f.outbox.EXPECT().Enqueue(gomock.Any(), gomock.Any()).Return(boom)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newRequestCodeFixture(t)
			f.allowAllLimits()
			tt.arrange(f)

			_, err := f.uc.Execute(context.Background(), application.RequestVerificationCodeCommand{
				Email: "alice@example.com", Purpose: "signup", ClientIP: requestIP,
			})

			assert.ErrorIs(t, err, boom)
		})
	}
}

func TestRateLimitedErrorNamesRuleAndWait(t *testing.T) {
	err := &application.RateLimitedError{Rule: "code_email_minute", RetryAfter: 30 * time.Second}

	assert.Contains(t, err.Error(), "code_email_minute")
	assert.Contains(t, err.Error(), "30s")
}
