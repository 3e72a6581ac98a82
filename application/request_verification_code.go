package application

import (
	"context"
	"fmt"
	"time"

	"github.com/artauction/artauction/domain/auth"
	"github.com/artauction/artauction/domain/member"
	"github.com/artauction/artauction/domain/validation"
)

// VerificationCodeTTL is how long a mailed code stays valid.
const VerificationCodeTTL = 10 * time.Minute

// Rate limits of the OpenAPI document for verification codes.
var (
	CodesPerEmailMinute = RateRule{Name: "code_email_minute", Limit: 1, Window: time.Minute}
	CodesPerEmailHour   = RateRule{Name: "code_email_hour", Limit: 5, Window: time.Hour}
	CodesPerIPHour      = RateRule{Name: "code_ip_hour", Limit: 20, Window: time.Hour}
)

// RequestVerificationCodeCommand asks for a code to be mailed.
type RequestVerificationCodeCommand struct {
	Email    string
	Purpose  string
	ClientIP string
}

// RequestVerificationCode mails a 6-digit code for sign-up or password reset.
type RequestVerificationCode struct {
	members MemberStore
	codes   VerificationCodes
	secrets Secrets
	outbox  MailOutbox
	limiter RateLimiter
}

// NewRequestVerificationCode builds the use case.
func NewRequestVerificationCode(members MemberStore, codes VerificationCodes, secrets Secrets,
	outbox MailOutbox, limiter RateLimiter) *RequestVerificationCode {
	return &RequestVerificationCode{members: members, codes: codes, secrets: secrets, outbox: outbox, limiter: limiter}
}

// Execute returns how long the code is valid. For a password reset of an unknown
// email it answers the same and sends nothing, so members cannot be enumerated.
func (uc *RequestVerificationCode) Execute(ctx context.Context, cmd RequestVerificationCodeCommand) (time.Duration, error) {
	var c validation.Collector
	email, err := member.NewEmail(cmd.Email)
	c.Merge(err)
	purpose, ok := auth.ParsePurpose(cmd.Purpose)
	c.Check(ok, "purpose", "must be signup or password_reset")
	if err := c.Err(); err != nil {
		return 0, err
	}
	for _, limit := range []struct {
		rule RateRule
		key  string
	}{
		{CodesPerIPHour, cmd.ClientIP},
		{CodesPerEmailMinute, email.String()},
		{CodesPerEmailHour, email.String()},
	} {
		if err := uc.limiter.Take(ctx, limit.rule, limit.key); err != nil {
			return 0, fmt.Errorf("verification code rate limit: %w", err)
		}
	}
	registered, err := uc.members.EmailExists(ctx, email)
	if err != nil {
		return 0, fmt.Errorf("check email: %w", err)
	}
	switch {
	case purpose == auth.PurposeSignup && registered:
		return 0, member.ErrEmailTaken
	case purpose == auth.PurposePasswordReset && !registered:
		return VerificationCodeTTL, nil
	}
	code, err := uc.secrets.VerificationCode()
	if err != nil {
		return 0, fmt.Errorf("make verification code: %w", err)
	}
	if err := uc.codes.Save(ctx, purpose, email, code, VerificationCodeTTL); err != nil {
		return 0, fmt.Errorf("save verification code: %w", err)
	}
	if err := uc.outbox.Enqueue(ctx, verificationMail(email, purpose, code)); err != nil {
		return 0, fmt.Errorf("enqueue verification mail: %w", err)
	}
	return VerificationCodeTTL, nil
}

func verificationMail(email member.Email, purpose auth.Purpose, code string) Mail {
	subject, action := "Your artauction sign-up code", "finish signing up"
	if purpose == auth.PurposePasswordReset {
		subject, action = "Your artauction password reset code", "reset your password"
	}
	return Mail{
		To:      email.String(),
		Subject: subject,
		Text: fmt.Sprintf("Your verification code is %s\n\nEnter it within %d minutes to %s.\n"+
			"If you did not ask for it, ignore this mail.\n", code, int(VerificationCodeTTL/time.Minute), action),
	}
}
