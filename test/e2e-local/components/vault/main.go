// A Vault server for the e2e: Vault's own core, HTTP API and the plugins this project uses
// (Kubernetes and JWT auth, KV), in memory, initialised and unsealed at start, like `vault server
// -dev`. It exists because the released github.com/hashicorp/vault module cannot be built whole
// from the Go module proxy: v1.21.x compiles its builtin plugins against an unreleased sdk
// (builtin/logical/aws and ssh need sdk APIs newer than v0.20.0, while vault/ needs the
// ActivationFunc signature older than v0.21.0). Core, HTTP and these plugins build with sdk v0.20.0.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	log "github.com/hashicorp/go-hclog"
	jwtauth "github.com/hashicorp/vault-plugin-auth-jwt"
	kubeauth "github.com/hashicorp/vault-plugin-auth-kubernetes"
	kv "github.com/hashicorp/vault-plugin-secrets-kv"
	vaulthttp "github.com/hashicorp/vault/http"
	"github.com/hashicorp/vault/internalshared/configutil"
	"github.com/hashicorp/vault/sdk/helper/consts"
	"github.com/hashicorp/vault/sdk/logical"
	"github.com/hashicorp/vault/sdk/physical/inmem"
	"github.com/hashicorp/vault/vault"
)

// registry makes the plugins this server carries known as builtins, the way
// helper/builtinplugins does for the full Vault binary.
type registry struct {
	credential map[string]logical.Factory
	secrets    map[string]logical.Factory
}

func (r registry) of(t consts.PluginType) map[string]logical.Factory {
	switch t {
	case consts.PluginTypeCredential:
		return r.credential
	case consts.PluginTypeSecrets:
		return r.secrets
	}
	return nil
}

func (r registry) Contains(name string, t consts.PluginType) bool {
	_, ok := r.of(t)[name]
	return ok
}

func (r registry) Get(name string, t consts.PluginType) (func() (interface{}, error), bool) {
	f, ok := r.of(t)[name]
	if !ok {
		return nil, false
	}
	return func() (interface{}, error) { return f, nil }, true
}

func (r registry) Keys(t consts.PluginType) []string {
	keys := []string{}
	for k := range r.of(t) {
		keys = append(keys, k)
	}
	return keys
}

func (r registry) DeprecationStatus(name string, t consts.PluginType) (consts.DeprecationStatus, bool) {
	return consts.Supported, r.Contains(name, t)
}

func (r registry) IsBuiltinEntPlugin(string, consts.PluginType) bool { return false }

func main() {
	listen := flag.String("listen", "127.0.0.1:8200", "address to serve the HTTP API on")
	certFile := flag.String("tls-cert", "", "TLS certificate (PEM); plain http without it")
	keyFile := flag.String("tls-key", "", "TLS key (PEM)")
	tokenFile := flag.String("root-token-file", "", "where to write the root token once Vault is unsealed")
	level := flag.String("log-level", "info", "trace, debug, info, warn or error")
	flag.Parse()
	if err := run(*listen, *certFile, *keyFile, *tokenFile, *level); err != nil {
		fmt.Fprintln(os.Stderr, "vault-e2e:", err)
		os.Exit(1)
	}
}

func run(listen, certFile, keyFile, tokenFile, level string) error {
	logger := log.New(&log.LoggerOptions{Name: "vault", Level: log.LevelFromString(level), Output: os.Stderr})
	backend, err := inmem.NewInmem(nil, logger)
	if err != nil {
		return err
	}
	plugins := registry{
		credential: map[string]logical.Factory{"kubernetes": kubeauth.Factory, "jwt": jwtauth.Factory, "oidc": jwtauth.Factory},
		secrets:    map[string]logical.Factory{"kv": kv.Factory},
	}
	core, err := vault.NewCore(&vault.CoreConfig{
		Physical:           backend,
		Logger:             logger,
		DisableMlock:       true,
		CredentialBackends: plugins.credential,
		LogicalBackends:    plugins.secrets,
		BuiltinRegistry:    plugins,
	})
	if err != nil {
		return fmt.Errorf("core: %w", err)
	}
	ctx := context.Background()
	init, err := core.Initialize(ctx, &vault.InitParams{
		BarrierConfig:  &vault.SealConfig{SecretShares: 1, SecretThreshold: 1},
		RecoveryConfig: &vault.SealConfig{SecretShares: 1, SecretThreshold: 1},
	})
	if err != nil {
		return fmt.Errorf("init: %w", err)
	}
	for _, key := range init.SecretShares {
		if _, err := core.Unseal(key); err != nil {
			return fmt.Errorf("unseal: %w", err)
		}
	}
	for deadline := time.Now().Add(30 * time.Second); core.Sealed(); {
		if time.Now().After(deadline) {
			return fmt.Errorf("still sealed after 30 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	server := &http.Server{
		Addr:              listen,
		Handler:           vaulthttp.Handler.Handler(&vault.HandlerProperties{Core: core, ListenerConfig: &configutil.Listener{}}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	errs := make(chan error, 1)
	go func() {
		if certFile != "" {
			errs <- server.ListenAndServeTLS(certFile, keyFile)
		} else {
			errs <- server.ListenAndServe()
		}
	}()
	if tokenFile != "" {
		if err := os.WriteFile(tokenFile, []byte(init.RootToken), 0o600); err != nil {
			return err
		}
	}
	logger.Info("serving", "address", listen)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	select {
	case err := <-errs:
		return err
	case <-stop:
	}
	shutdown, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_ = server.Shutdown(shutdown)
	return core.Shutdown()
}
