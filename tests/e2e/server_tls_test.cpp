// HTTPS with real certificates made for the test (tests/support/test_pki): reports over TLS
// land in every store; plain HTTP, an untrusted server, a client without the right certificate
// (mutual TLS), TLS 1.1 and non-AEAD ciphers are all refused; bad certificate settings stop the
// server at start-up with exit 2.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>

#include "http_client.hpp"
#include "raw_socket.hpp"
#include "server_process.hpp"
#include "store_check.hpp"
#include "subprocess.hpp"
#include "test_pki.hpp"
#include "test_report.hpp"

namespace {

using vigia::test::closedByServer;
using vigia::test::connectTo;

using nlohmann::json;
using vigia::test::HttpCall;
using vigia::test::HttpReply;
using vigia::test::httpsRequest;
using vigia::test::ServerProcess;
using vigia::test::TempDir;
using vigia::test::TestPki;
using vigia::test::TlsClientOptions;

HttpCall get(const std::string& target) {
  HttpCall c;
  c.target = target;
  return c;
}

HttpCall postJson(std::string body) {
  HttpCall c;
  c.method = "POST";
  c.target = "/api/v1/reports";
  c.body = std::move(body);
  c.headers = {{"Content-Type", "application/json"}};
  return c;
}

long long metric(const std::string& body, const std::string& series) {
  const auto at = body.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stoll(body.substr(at + series.size() + 2));
}

class ServerTls : public ::testing::Test {
 protected:
  TempDir dir;
  TestPki pki{dir.path() / "pki"};
  std::filesystem::path data = dir.path() / "data";

  std::vector<std::string> tlsArgs() const {
    return {"--data-dir", data.string(),          "--tls-cert", pki.server_cert.string(),
            "--tls-key",  pki.server_key.string()};
  }
  TlsClientOptions trusting(const std::filesystem::path& ca) const {
    TlsClientOptions o;
    o.ca_file = ca;
    return o;
  }
  TlsClientOptions withClientCert(const std::filesystem::path& cert,
                                  const std::filesystem::path& key) const {
    TlsClientOptions o = trusting(pki.ca_cert);
    o.cert_file = cert;
    o.key_file = key;
    return o;
  }
};

TEST_F(ServerTls, HttpsReportLandsInEveryStoreAndIsServedBack) {
  ServerProcess server(VIGIA_SERVER_BIN, tlsArgs());
  EXPECT_NE(server.logs().find("listening on https://127.0.0.1:"), std::string::npos)
      << server.logs();
  vigia::test::TestReportSpec spec;
  spec.ip = "10.0.0.42";
  const auto posted = httpsRequest(server.port(), postJson(vigia::test::testReport(spec).dump()),
                                   trusting(pki.ca_cert));
  ASSERT_EQ(posted.status, 201) << posted.body << posted.error;
  EXPECT_EQ(json::parse(posted.body)["id"], spec.report_id);

  // The certificate's DNS name works as well as its IP.
  auto by_name = trusting(pki.ca_cert);
  by_name.verify_host = "localhost";
  const auto fetched =
      httpsRequest(server.port(), get("/api/v1/reports/" + spec.report_id), by_name);
  ASSERT_EQ(fetched.status, 200) << fetched.error;
  EXPECT_EQ(json::parse(fetched.body)["report_id"], spec.report_id);

  const auto stores = vigia::test::readStores(data);
  EXPECT_EQ(stores.db.count(spec.report_id), 1u);
  EXPECT_TRUE(vigia::test::consistencyProblems(stores).empty());
  EXPECT_EQ(server.stop(SIGTERM), 0) << server.logs();
}

TEST_F(ServerTls, PlainHttpAndUntrustedOrMisnamedServersFail) {
  ServerProcess server(VIGIA_SERVER_BIN, tlsArgs());

  const auto plain = vigia::test::httpGet(server.port(), "/healthz");
  EXPECT_EQ(plain.status, 0) << "plain HTTP was served on the TLS port: " << plain.body;

  const auto wrong_ca = httpsRequest(server.port(), get("/healthz"), trusting(pki.wrong_ca_cert));
  EXPECT_EQ(wrong_ca.status, 0);
  EXPECT_EQ(wrong_ca.error.rfind("handshake: ", 0), 0u) << wrong_ca.error;
  EXPECT_NE(wrong_ca.error.find("certificate verify failed"), std::string::npos) << wrong_ca.error;

  auto misnamed = trusting(pki.ca_cert);
  misnamed.verify_host = "10.9.8.7";
  const auto other_host = httpsRequest(server.port(), get("/healthz"), misnamed);
  EXPECT_EQ(other_host.status, 0);
  EXPECT_EQ(other_host.error.rfind("handshake: ", 0), 0u) << other_host.error;

  // Still serving, and the failures are counted.
  const auto metrics = httpsRequest(server.port(), get("/metrics"), trusting(pki.ca_cert));
  ASSERT_EQ(metrics.status, 200) << metrics.error;
  EXPECT_GE(metric(metrics.body, "vigia_http_tls_handshake_failures_total"), 3) << metrics.body;
}

TEST_F(ServerTls, MutualTlsNeedsAClientCertificateFromTheClientCa) {
  auto args = tlsArgs();
  args.insert(args.end(), {"--tls-client-ca", pki.ca_cert.string()});
  ServerProcess server(VIGIA_SERVER_BIN, args);

  const auto none = httpsRequest(server.port(), get("/healthz"), trusting(pki.ca_cert));
  EXPECT_EQ(none.status, 0) << "served without a client certificate";
  const auto stranger = httpsRequest(server.port(), get("/healthz"),
                                     withClientCert(pki.wrong_client_cert, pki.wrong_client_key));
  EXPECT_EQ(stranger.status, 0) << "served a certificate from another CA";

  const auto agent = withClientCert(pki.client_cert, pki.client_key);
  const auto posted =
      httpsRequest(server.port(), postJson(vigia::test::testReport().dump()), agent);
  EXPECT_EQ(posted.status, 201) << posted.body << posted.error;
  const auto metrics = httpsRequest(server.port(), get("/metrics"), agent);
  ASSERT_EQ(metrics.status, 200) << metrics.error;
  EXPECT_EQ(metric(metrics.body, "vigia_http_tls_handshake_failures_total"), 2) << metrics.body;
  EXPECT_NE(server.logs().find("client certificates required"), std::string::npos);
}

TEST_F(ServerTls, ConfigFileWithTlsMutualTlsAndTokensTogether) {
  const auto config = dir.path() / "server.toml";
  std::ofstream(config) << "[tls]\ncert = \"" << pki.server_cert.string() << "\"\nkey = \""
                        << pki.server_key.string() << "\"\nclient_ca = \"" << pki.ca_cert.string()
                        << "\"\n[auth]\ningest_tokens = [\"tls-ingest-token\"]\n"
                           "read_tokens = [\"tls-read-token\"]\n";
  ServerProcess server(VIGIA_SERVER_BIN, {"--config", config.string(), "--data-dir", data.string(),
                                          "--listen", "0.0.0.0:0"});
  const auto agent = withClientCert(pki.client_cert, pki.client_key);
  auto post = postJson(vigia::test::testReport().dump());
  EXPECT_EQ(httpsRequest(server.port(), post, agent).status, 401);
  post.headers.emplace_back("Authorization", "Bearer tls-ingest-token");
  EXPECT_EQ(httpsRequest(server.port(), post, agent).status, 201);
  auto list = get("/api/v1/servers");
  list.headers.emplace_back("Authorization", "Bearer tls-read-token");
  EXPECT_EQ(httpsRequest(server.port(), list, agent).status, 200);
  EXPECT_EQ(server.logs().find("clear text"), std::string::npos) << server.logs();
}

TEST_F(ServerTls, ARefusedBodyOverTlsStillGetsItsAnswer) {
  auto args = tlsArgs();
  args.insert(args.end(), {"--ingest-token", "some-ingest-token"});
  ServerProcess server(VIGIA_SERVER_BIN, args);
  // Refused on the header; the close_notify exchange must not destroy the answer.
  const auto reply =
      httpsRequest(server.port(), postJson(std::string(8 << 20, ' ')), trusting(pki.ca_cert));
  EXPECT_EQ(reply.status, 401) << reply.error;
}

TEST_F(ServerTls, SilentClientIsCutAtTheHandshakeDeadlineAndSigtermIsNotHeldUp) {
  const auto config = dir.path() / "server.toml";
  std::ofstream(config) << "[http]\nheader_timeout_seconds = 1\n";
  auto args = tlsArgs();
  args.insert(args.end(), {"--config", config.string()});
  ServerProcess server(VIGIA_SERVER_BIN, args);

  const int silent = connectTo(server.port());
  ASSERT_GE(silent, 0);
  EXPECT_TRUE(closedByServer(silent, std::chrono::seconds(10)));
  ::close(silent);
  std::string metrics;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  do {
    metrics = httpsRequest(server.port(), get("/metrics"), trusting(pki.ca_cert)).body;
  } while (metric(metrics, "vigia_http_timeouts_total") < 1 &&
           std::chrono::steady_clock::now() < deadline);
  EXPECT_EQ(metric(metrics, "vigia_http_timeouts_total"), 1) << metrics;

  // A connection still in its handshake is closed at once by SIGTERM.
  const int waiting = connectTo(server.port());
  ASSERT_GE(waiting, 0);
  ASSERT_EQ(httpsRequest(server.port(), get("/healthz"), trusting(pki.ca_cert)).status, 200);
  const auto start = std::chrono::steady_clock::now();
  ::kill(server.pid(), SIGTERM);
  EXPECT_TRUE(closedByServer(waiting, std::chrono::seconds(5)));
  ::close(waiting);
  EXPECT_EQ(server.stop(0), 0) << server.logs();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

// `openssl s_client` offers exactly what it is told to; each refusal has a control that
// differs in the one thing refused, so a refusal for another reason would fail the control.
vigia::test::ProcessResult sClient(unsigned short port, const TestPki& pki,
                                   const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {vigia::test::opensslBinary(),
                                   "s_client",
                                   "-connect",
                                   "127.0.0.1:" + std::to_string(port),
                                   "-CAfile",
                                   pki.ca_cert.string(),
                                   "-verify_return_error"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return vigia::test::runProcess(argv);
}

TEST_F(ServerTls, Tls11AndNonAeadCiphersAreRefused) {
  ServerProcess server(VIGIA_SERVER_BIN, tlsArgs());
  // Security level 0 lets this client offer what OpenSSL 3 would otherwise not.
  const auto tls12 = sClient(server.port(), pki, {"-tls1_2", "-cipher", "DEFAULT:@SECLEVEL=0"});
  EXPECT_EQ(tls12.exit_code, 0) << tls12.err;
  const auto tls11 = sClient(server.port(), pki, {"-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"});
  EXPECT_NE(tls11.exit_code, 0) << tls11.out;
  EXPECT_NE(tls11.err.find("protocol version"), std::string::npos) << tls11.err;

  const auto gcm =
      sClient(server.port(), pki, {"-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"});
  EXPECT_EQ(gcm.exit_code, 0) << gcm.err;
  const auto cbc = sClient(server.port(), pki, {"-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA256"});
  EXPECT_NE(cbc.exit_code, 0) << cbc.out;
  EXPECT_NE(cbc.err.find("handshake failure"), std::string::npos) << cbc.err;
}

TEST(ServerTlsStartup, BadCertificateSettingsExitTwoWithAClearMessage) {
  TempDir dir;
  const TestPki pki(dir.path() / "pki");
  const auto data = dir.path() / "data";
  const auto not_pem = dir.path() / "not.pem";
  std::ofstream(not_pem) << "hello\n";
  const std::string absent = (dir.path() / "absent.pem").string();
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--tls-cert", pki.server_cert.string()}, "a certificate without its key"},
      {{"--tls-key", pki.server_key.string()}, "a key without a certificate"},
      {{"--tls-cert", absent, "--tls-key", pki.server_key.string()},
       "cannot read certificate " + absent + ": No such file or directory"},
      {{"--tls-cert", pki.server_cert.string(), "--tls-key", absent},
       "cannot read key " + absent + ": No such file or directory"},
      {{"--tls-cert", not_pem.string(), "--tls-key", pki.server_key.string()},
       "certificate " + not_pem.string() + ": not a PEM certificate chain"},
      {{"--tls-cert", pki.server_cert.string(), "--tls-key", not_pem.string()},
       "key " + not_pem.string() + ": not an unencrypted PEM private key"},
      {{"--tls-cert", pki.server_cert.string(), "--tls-key", pki.client_key.string()},
       "the key in " + pki.client_key.string() + " does not match the certificate"},
      {{"--tls-cert", pki.server_cert.string(), "--tls-key", pki.server_key.string(),
        "--tls-client-ca", not_pem.string()},
       "client CA " + not_pem.string() + ": no PEM CA certificate"},
      {{"--tls-cert", pki.server_cert.string(), "--tls-key", pki.server_key.string(),
        "--tls-client-ca", dir.path().string()},
       "a directory"},
  };
  for (const auto& [args, expected] : cases) {
    std::vector<std::string> argv = {VIGIA_SERVER_BIN, "--data-dir", data.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto r = vigia::test::runProcess(argv);
    EXPECT_EQ(r.exit_code, 2) << expected << "\n" << r.err;
    EXPECT_NE(r.err.find(expected), std::string::npos) << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(data)) << "refused before touching the data dir";
}

}  // namespace
