package authz

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/casegraph/casegraph"
)

// Claims are what a casegraph bearer token says about its holder.
type Claims struct {
	Name   string   `json:"name,omitempty"`
	Agency string   `json:"agency,omitempty"`
	Roles  []string `json:"roles"`
	Region string   `json:"region,omitempty"`
	jwt.RegisteredClaims
}

// Issuer is the iss of the tokens casegraph mints and expects.
const Issuer = "casegraph"

// Verifier checks bearer tokens: HS256 with a shared secret (development),
// or RS256 / ES256 with a public key read from a PEM file (production).
// Exactly one of the two is configured.
type Verifier struct {
	secret []byte
	key    crypto.PublicKey
	method string
}

// MinSecretLen is the shortest HS256 secret accepted (256 bits).
const MinSecretLen = 32

// NewHS256Verifier verifies tokens signed with secret.
func NewHS256Verifier(secret string) (*Verifier, error) {
	if len(secret) < MinSecretLen {
		return nil, fmt.Errorf("jwt secret is %d bytes; HS256 needs at least %d", len(secret), MinSecretLen)
	}
	return &Verifier{secret: []byte(secret), method: "HS256"}, nil
}

// NewKeyVerifier verifies RS256 or ES256 tokens with the public key (or
// certificate) in the PEM file at path.
func NewKeyVerifier(path string) (*Verifier, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("jwt public key: %w", err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("jwt public key %s: no PEM block", path)
	}
	var pub any
	switch block.Type {
	case "CERTIFICATE":
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("jwt public key %s: %w", path, err)
		}
		pub = cert.PublicKey
	default:
		pub, err = x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("jwt public key %s: %w", path, err)
		}
	}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return nil, fmt.Errorf("jwt public key %s: RSA key of %d bits; at least 2048", path, k.N.BitLen())
		}
		return &Verifier{key: k, method: "RS256"}, nil
	case *ecdsa.PublicKey:
		if k.Curve.Params().Name != "P-256" {
			return nil, fmt.Errorf("jwt public key %s: ES256 needs a P-256 key, got %s", path, k.Curve.Params().Name)
		}
		return &Verifier{key: k, method: "ES256"}, nil
	}
	return nil, fmt.Errorf("jwt public key %s: %T is neither RSA nor ECDSA", path, pub)
}

// ErrToken is every reason a token is refused; its message is what the
// client sees and says nothing about why, beyond "invalid or expired".
var ErrToken = errors.New("invalid or expired token")

// Verify parses and checks a token: signature with the configured method
// only (no "none", no algorithm switching), expiry (required), not-before,
// issuer, subject and at least one role. The caller it returns is what
// the rest of casegraph trusts.
func (v *Verifier) Verify(token string) (casegraph.Caller, error) {
	var c Claims
	_, err := jwt.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		if v.secret != nil {
			return v.secret, nil
		}
		return v.key, nil
	}, jwt.WithValidMethods([]string{v.method}), jwt.WithExpirationRequired(), jwt.WithIssuer(Issuer),
		jwt.WithLeeway(30*time.Second))
	if err != nil {
		return casegraph.Caller{}, fmt.Errorf("%w: %v", ErrToken, err)
	}
	if c.Subject == "" || len(c.Roles) == 0 {
		return casegraph.Caller{}, fmt.Errorf("%w: no subject or no role", ErrToken)
	}
	return casegraph.Caller{Subject: c.Subject, Name: c.Name, Agency: c.Agency, Roles: c.Roles, Region: c.Region}, nil
}

// Mint signs an HS256 token for c, valid for ttl: for development and tests
// (`casegraph token`). Production tokens come from the identity provider.
func Mint(secret string, c casegraph.Caller, ttl time.Duration) (string, error) {
	if len(secret) < MinSecretLen {
		return "", fmt.Errorf("jwt secret is %d bytes; HS256 needs at least %d", len(secret), MinSecretLen)
	}
	if c.Subject == "" || len(c.Roles) == 0 {
		return "", fmt.Errorf("a token needs a subject and at least one role")
	}
	for _, r := range c.Roles {
		if !ValidRole(r) {
			return "", fmt.Errorf("unknown role %q; roles are %s", r, strings.Join(Roles, ", "))
		}
	}
	now := time.Now()
	claims := Claims{Name: c.Name, Agency: c.Agency, Roles: c.Roles, Region: c.Region,
		RegisteredClaims: jwt.RegisteredClaims{Subject: c.Subject, Issuer: Issuer, IssuedAt: jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)), ExpiresAt: jwt.NewNumericDate(now.Add(ttl))}}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(secret))
}
