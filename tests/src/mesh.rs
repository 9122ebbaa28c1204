//! Two Envoy sidecars on loopback:
//!
//! - **A** (server side): `inbound_mtls`, a listener that requires and verifies client
//!   certificates from the mesh CA, with jwt_authn on `/jwt`, an RBAC policy denying `/admin`,
//!   ext_authz (denying paths with `deny`) and direct responses: `/fail` → 503 `fail`, anything
//!   else → 200 `ok`; and `inbound_plain`, a plaintext listener answering 200.
//! - **B** (client side): `outbound_http`, a plaintext listener for the local application that
//!   forwards to A's mutual-TLS listener, presenting the mesh client certificate.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::authz::AuthzService;
use crate::certs::Pki;
use crate::envoy::Envoy;
use crate::{free_addr, http, pause, tls_client};

/// Stat prefix of A's mutual-TLS connection manager.
pub const A_MTLS_PREFIX: &str = "inbound_mtls";
/// Stat prefix of A's plaintext connection manager.
pub const A_PLAIN_PREFIX: &str = "inbound_plain";
/// Stat prefix of B's outbound connection manager.
pub const B_OUTBOUND_PREFIX: &str = "outbound_http";
/// Name of B's cluster that reaches A.
pub const B_CLUSTER: &str = "sidecar_a";

/// The running mesh.
pub struct Mesh {
    /// Sidecar A.
    pub a: Envoy,
    /// Sidecar B.
    pub b: Envoy,
    /// A's mutual-TLS listener.
    pub a_mtls: SocketAddr,
    /// A's plaintext listener.
    pub a_plain: SocketAddr,
    /// B's outbound listener.
    pub b_outbound: SocketAddr,
    /// The certificates in use.
    pub pki: Pki,
    _authz: AuthzService,
}

impl Mesh {
    /// Generates certificates into `dir` and starts the authorization service, A and B.
    pub fn start(envoy: &Path, dir: &Path) -> std::io::Result<Mesh> {
        let pki = Pki::generate(dir)?;
        let authz = AuthzService::start()?;
        let (a_admin, a_mtls, a_plain) = (free_addr(), free_addr(), free_addr());
        let (b_admin, b_outbound) = (free_addr(), free_addr());

        let a = Envoy::start(
            envoy,
            "sidecar-a",
            dir,
            &sidecar_a(&pki, a_admin, a_mtls, a_plain, authz.addr()),
            a_admin,
        )?;
        let b = Envoy::start(
            envoy,
            "sidecar-b",
            dir,
            &sidecar_b(&pki, b_admin, b_outbound, a_mtls),
            b_admin,
        )?;
        Ok(Mesh {
            a,
            b,
            a_mtls,
            a_plain,
            b_outbound,
            pki,
            _authz: authz,
        })
    }

    /// Sends `traffic`, asserting that every request got the answer (status and body) its path
    /// calls for and that every handshake meant to fail was refused.
    pub fn send(&self, traffic: Traffic) {
        let through_b = [
            ("/ok", traffic.allowed, 200, "ok"),
            ("/admin", traffic.rbac_denied, 403, "RBAC: access denied"),
            ("/ext/deny", traffic.ext_authz_denied, 403, ""),
            ("/jwt", traffic.jwt_missing, 401, "Jwt is missing"),
            ("/fail", traffic.server_errors, 503, "fail"),
        ];
        for (path, count, status, body) in through_b {
            for _ in 0..count {
                let response = http::get(self.b_outbound, path, &[]).expect("request through B");
                assert_eq!(
                    (response.status, response.body.as_str()),
                    (status, body),
                    "GET {path} through B"
                );
            }
        }

        for _ in 0..traffic.plaintext {
            // Only the status: Envoy would hold this connection for its delayed close (1 s).
            let status = http::get_status(self.a_plain, "/").expect("plaintext request to A");
            assert_eq!(status, 200, "plaintext GET / to A");
        }

        let pki = &self.pki;
        let member = Some((pki.client_cert.as_path(), pki.client_key.as_path()));
        let foreign = Some((pki.foreign_cert.as_path(), pki.foreign_key.as_path()));
        // What A answers each client: a status line, or nothing when it refuses the handshake.
        let (ok, refused) = (Some("HTTP/1.1 200 OK"), None);
        let Traffic {
            direct_mutual,
            handshakes_without_cert,
            handshakes_foreign_cert,
            ..
        } = traffic;
        let straight_to_a = [
            (direct_mutual, member, ok, "the mesh certificate"),
            (handshakes_without_cert, None, refused, "no certificate"),
            (handshakes_foreign_cert, foreign, refused, "a foreign cert"),
        ];
        for (count, identity, answer, client) in straight_to_a {
            for _ in 0..count {
                let got = tls_client::get(self.a_mtls, &pki.ca, identity, "/ok");
                assert_eq!(got.as_deref(), answer, "TLS request to A with {client}");
            }
        }
    }

    /// Waits, up to ten seconds, until a `GET /ok` through B is answered 200 by A, sending one
    /// such request every 100 ms: after A restarts, B's pooled connections to the old A are
    /// gone. Exactly one of the requests reaches A and succeeds; panics if none does in time.
    pub fn wait_until_b_reaches_a(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while http::get(self.b_outbound, "/ok", &[])
            .map(|r| r.status)
            .unwrap_or(0)
            != 200
        {
            assert!(Instant::now() < deadline, "B never reached the restarted A");
            pause(Duration::from_millis(100));
        }
    }
}

/// Requests and handshakes to send to A, by what each must do. Built as a struct literal on
/// top of [`Traffic::NONE`] (or `Traffic::default()`), sent with [`Mesh::send`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Traffic {
    /// Through B over mutual TLS, allowed: 200 `ok` from A.
    pub allowed: u32,
    /// Through B to `/admin`: denied by A's RBAC policy, 403.
    pub rbac_denied: u32,
    /// Through B to `/ext/deny`: denied by the external authorizer, 403.
    pub ext_authz_denied: u32,
    /// Through B to `/jwt` without a token: rejected by jwt_authn, 401 (a failed
    /// authentication, not a denial).
    pub jwt_missing: u32,
    /// Through B to `/fail`: A answers 503 `fail`.
    pub server_errors: u32,
    /// Straight to A's mutual-TLS listener with the mesh client certificate: 200.
    pub direct_mutual: u32,
    /// Straight to A's plaintext listener: 200.
    pub plaintext: u32,
    /// TLS handshakes to A without a client certificate: refused, never a request.
    pub handshakes_without_cert: u32,
    /// TLS handshakes to A with a certificate from a foreign CA: refused, never a request.
    pub handshakes_foreign_cert: u32,
}

impl Traffic {
    /// No traffic at all, for `const` plans: `Traffic { allowed: 3, ..Traffic::NONE }`.
    pub const NONE: Traffic = Traffic {
        allowed: 0,
        rbac_denied: 0,
        ext_authz_denied: 0,
        jwt_missing: 0,
        server_errors: 0,
        direct_mutual: 0,
        plaintext: 0,
        handshakes_without_cert: 0,
        handshakes_foreign_cert: 0,
    };

    /// Requests A answers 2xx over mutual TLS.
    pub fn mutual_2xx(&self) -> u32 {
        self.allowed + self.direct_mutual
    }

    /// Requests A answers 4xx over mutual TLS: denials and failed authentications.
    pub fn mutual_4xx(&self) -> u32 {
        self.rbac_denied + self.ext_authz_denied + self.jwt_missing
    }

    /// Requests A answers 5xx over mutual TLS.
    pub fn mutual_5xx(&self) -> u32 {
        self.server_errors
    }

    /// Requests A receives over mutual TLS, whatever the answer.
    pub fn mutual(&self) -> u32 {
        self.mutual_2xx() + self.mutual_4xx() + self.mutual_5xx()
    }

    /// Requests A receives, over mutual TLS or plaintext.
    pub fn inbound(&self) -> u32 {
        self.mutual() + self.plaintext
    }

    /// Requests an authorization policy denies (RBAC or the external authorizer).
    pub fn denied(&self) -> u32 {
        self.rbac_denied + self.ext_authz_denied
    }

    /// TLS handshakes A refuses.
    pub fn handshake_failures(&self) -> u32 {
        self.handshakes_without_cert + self.handshakes_foreign_cert
    }

    /// Both plans' traffic together.
    pub fn plus(self, other: Traffic) -> Traffic {
        Traffic {
            allowed: self.allowed + other.allowed,
            rbac_denied: self.rbac_denied + other.rbac_denied,
            ext_authz_denied: self.ext_authz_denied + other.ext_authz_denied,
            jwt_missing: self.jwt_missing + other.jwt_missing,
            server_errors: self.server_errors + other.server_errors,
            direct_mutual: self.direct_mutual + other.direct_mutual,
            plaintext: self.plaintext + other.plaintext,
            handshakes_without_cert: self.handshakes_without_cert + other.handshakes_without_cert,
            handshakes_foreign_cert: self.handshakes_foreign_cert + other.handshakes_foreign_cert,
        }
    }
}

/// Envoy's name for a listener in stats: its address with `:` turned into `_`.
pub fn listener_stat_name(addr: SocketAddr) -> String {
    format!("{}_{}", addr.ip(), addr.port())
}

fn socket(addr: SocketAddr) -> String {
    format!(
        "{{socket_address: {{address: {}, port_value: {}}}}}",
        addr.ip(),
        addr.port()
    )
}

/// A sidecar's TLS identity, as a flow mapping for `common_tls_context`: the certificate it
/// presents and the CA it verifies its peer with. Both sides of the mesh's mutual TLS use it.
fn common_tls_context(ca: &Path, cert: &Path, key: &Path) -> String {
    let (ca, cert, key) = (ca.display(), cert.display(), key.display());
    format!(
        "{{tls_certificates: [{{certificate_chain: {{filename: \"{cert}\"}}, \
         private_key: {{filename: \"{key}\"}}}}], \
         validation_context: {{trusted_ca: {{filename: \"{ca}\"}}}}}}"
    )
}

fn router() -> &'static str {
    r#"- name: envoy.filters.http.router
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"#
}

fn sidecar_a(
    pki: &Pki,
    admin: SocketAddr,
    mtls: SocketAddr,
    plain: SocketAddr,
    authz: SocketAddr,
) -> String {
    let tls = common_tls_context(&pki.ca, &pki.server_cert, &pki.server_key);
    let router = router();
    let (admin, mtls, plain, authz_socket) =
        (socket(admin), socket(mtls), socket(plain), socket(authz));
    format!(
        r#"
stats_flush_interval: 0.2s
admin:
  address: {admin}
static_resources:
  listeners:
  - name: inbound_mtls
    address: {mtls}
    filter_chains:
    - transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
          require_client_certificate: true
          common_tls_context: {tls}
      filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: {A_MTLS_PREFIX}
          route_config:
            virtual_hosts:
            - name: local
              domains: ["*"]
              routes:
              - match: {{prefix: /fail}}
                direct_response: {{status: 503, body: {{inline_string: fail}}}}
              - match: {{prefix: /}}
                direct_response: {{status: 200, body: {{inline_string: ok}}}}
          http_filters:
          - name: envoy.filters.http.jwt_authn
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication
              providers:
                mesh:
                  issuer: https://issuer.meshward.test
                  local_jwks:
                    inline_string: '{{"keys":[{{"kty":"oct","alg":"HS256","kid":"k","k":"bWVzaHdhcmQtdGVzdC1zZWNyZXQta2V5LTMyYnl0ZXM"}}]}}'
              rules:
              - match: {{prefix: /jwt}}
                requires: {{provider_name: mesh}}
          - name: envoy.filters.http.rbac
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC
              rules:
                action: DENY
                policies:
                  deny-admin:
                    permissions: [{{url_path: {{path: {{prefix: /admin}}}}}}]
                    principals: [{{any: true}}]
          - name: envoy.filters.http.ext_authz
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz
              http_service:
                server_uri: {{uri: "http://{authz}", cluster: authz, timeout: 2s}}
          {router}
  - name: inbound_plain
    address: {plain}
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: {A_PLAIN_PREFIX}
          route_config:
            virtual_hosts:
            - name: local
              domains: ["*"]
              routes:
              - match: {{prefix: /}}
                direct_response: {{status: 200, body: {{inline_string: ok}}}}
          http_filters:
          {router}
  clusters:
  - name: authz
    type: STATIC
    connect_timeout: 2s
    load_assignment:
      cluster_name: authz
      endpoints: [{{lb_endpoints: [{{endpoint: {{address: {authz_socket}}}}}]}}]
"#
    )
}

fn sidecar_b(pki: &Pki, admin: SocketAddr, outbound: SocketAddr, a_mtls: SocketAddr) -> String {
    let tls = common_tls_context(&pki.ca, &pki.client_cert, &pki.client_key);
    let router = router();
    let (admin, outbound, upstream) = (socket(admin), socket(outbound), socket(a_mtls));
    format!(
        r#"
admin:
  address: {admin}
static_resources:
  listeners:
  - name: outbound
    address: {outbound}
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: {B_OUTBOUND_PREFIX}
          route_config:
            virtual_hosts:
            - name: sidecar_a
              domains: ["*"]
              routes:
              - match: {{prefix: /}}
                route: {{cluster: {B_CLUSTER}}}
          http_filters:
          {router}
  clusters:
  - name: {B_CLUSTER}
    type: STATIC
    connect_timeout: 2s
    load_assignment:
      cluster_name: {B_CLUSTER}
      endpoints: [{{lb_endpoints: [{{endpoint: {{address: {upstream}}}}}]}}]
    transport_socket:
      name: envoy.transport_sockets.tls
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
        sni: localhost
        common_tls_context: {tls}
"#
    )
}
