package bootstrap

import (
	"time"

	"go.uber.org/fx"

	httpapi "github.com/artauction/artauction/adapters/http"
	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/application"
)

// refreshTTL is REFRESH_TOKEN_TTL, named for the constructors that take it.
type refreshTTL time.Duration

var accountModule = fx.Module("account",
	fx.Provide(
		func(auth AuthSettings) refreshTTL { return refreshTTL(auth.RefreshTokenTTL) },
		application.NewRequestVerificationCode,
		application.NewSignUp,
		func(m application.MemberStore, h application.PasswordHasher, s application.SessionStore, a application.AccessTokens,
			sec application.Secrets, l application.RateLimiter, c application.Clock, tx application.Transactor, ttl refreshTTL) *application.Login {
			return application.NewLogin(m, h, s, a, sec, l, c, tx, time.Duration(ttl))
		},
		func(s application.SessionStore, b application.TokenBlacklist, a application.AccessTokens, sec application.Secrets,
			c application.Clock, tx application.Transactor, ttl refreshTTL) *application.RefreshTokens {
			return application.NewRefreshTokens(s, b, a, sec, c, tx, time.Duration(ttl))
		},
		application.NewLogout,
		application.NewResetPassword,
		application.NewAuthenticate,
		application.NewGetMember,
		application.NewCheckAvailability,
		application.NewUpdateProfile,
		application.NewChangePassword,
		application.NewChargePoints,
		application.NewRefundPoints,
		application.NewListPointHistory,
		fx.Annotate(postgres.NewFollowStore, fx.As(new(application.FollowStore))),
		application.NewGetMemberPage,
		application.NewFollowMember,
		application.NewUnfollowMember,
		application.NewListFollows,
		application.NewListFeed,
		newAccountUseCases,
	),
)

func newAccountUseCases(requestCode *application.RequestVerificationCode, signUp *application.SignUp,
	login *application.Login, refresh *application.RefreshTokens, logout *application.Logout,
	resetPassword *application.ResetPassword, authenticate *application.Authenticate, getMember *application.GetMember,
	availability *application.CheckAvailability, updateProfile *application.UpdateProfile,
	changePassword *application.ChangePassword, charge *application.ChargePoints, refund *application.RefundPoints,
	history *application.ListPointHistory, idempotent *application.RunIdempotent, follows followUseCases) httpapi.AccountUseCases {
	return httpapi.AccountUseCases{
		RequestCode: requestCode, SignUp: signUp, Login: login, Refresh: refresh, Logout: logout,
		ResetPassword: resetPassword, Authenticate: authenticate, GetMember: getMember, Availability: availability,
		UpdateProfile: updateProfile, ChangePassword: changePassword, ChargePoints: charge, RefundPoints: refund,
		PointHistory: history, Idempotent: idempotent,
		MemberPage: follows.MemberPage, Follow: follows.Follow, Unfollow: follows.Unfollow, Follows: follows.Follows,
		Feed: follows.Feed,
	}
}

// followUseCases are the use cases of artists' pages and follows.
type followUseCases struct {
	fx.In

	MemberPage *application.GetMemberPage
	Follow     *application.FollowMember
	Unfollow   *application.UnfollowMember
	Follows    *application.ListFollows
	Feed       *application.ListFeed
}
