#include "test_pki.hpp"

#include <atomic>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "subprocess.hpp"

namespace vigia::test {
namespace {

// Our own configuration file, so the system's openssl.cnf (its defaults and extensions) plays
// no part in what the certificates hold.
constexpr const char* kConfig = R"(
[req]
distinguished_name = dn
prompt = no
[dn]
CN = vigia test
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
)";

void run(const std::vector<std::string>& argv) {
  auto r = runProcess(argv);
  if (r.exit_code != 0) {
    std::string command;
    for (const auto& a : argv) command += a + " ";
    throw std::runtime_error("test PKI: " + command + "failed: " + r.err);
  }
}

// Distinct serial numbers, so no two certificates of one issuer look alike.
std::string nextSerial() {
  static std::atomic<unsigned> serial{1000};
  return std::to_string(serial++);
}

class Maker {
 public:
  explicit Maker(const std::filesystem::path& dir) : dir_(dir), config_(dir / "openssl.cnf") {
    std::ofstream(config_) << kConfig;
  }

  // A self-signed CA: <name>.pem, <name>.key.
  void ca(const std::string& name, const std::string& cn) {
    run({opensslBinary(),
         "req",
         "-x509",
         "-config",
         config_.string(),
         "-extensions",
         "ca",
         "-newkey",
         "ec",
         "-pkeyopt",
         "ec_paramgen_curve:prime256v1",
         "-nodes",
         "-days",
         "2",
         "-set_serial",
         nextSerial(),
         "-subj",
         "/CN=" + cn,
         "-keyout",
         key(name),
         "-out",
         cert(name)});
  }

  // A leaf signed by `issuer`, with the extensions of section `profile`.
  void leaf(const std::string& name, const std::string& cn, const std::string& issuer,
            const std::string& profile) {
    const std::string csr = (dir_ / (name + ".csr")).string();
    run({opensslBinary(), "req", "-new", "-config", config_.string(), "-newkey", "ec", "-pkeyopt",
         "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=" + cn, "-keyout", key(name),
         "-out", csr});
    run({opensslBinary(), "x509", "-req", "-in", csr, "-CA", cert(issuer), "-CAkey", key(issuer),
         "-set_serial", nextSerial(), "-days", "2", "-extfile", config_.string(), "-extensions",
         profile, "-out", cert(name)});
  }

  std::string cert(const std::string& name) const { return (dir_ / (name + ".pem")).string(); }
  std::string key(const std::string& name) const { return (dir_ / (name + ".key")).string(); }

 private:
  std::filesystem::path dir_;
  std::filesystem::path config_;
};

}  // namespace

const char* opensslBinary() { return VIGIA_OPENSSL_BIN; }

TestPki::TestPki(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  Maker make(dir);
  make.ca("ca", "vigia test CA");
  make.leaf("server", "localhost", "ca", "server");
  make.leaf("client", "vigia test agent", "ca", "client");
  make.ca("wrong-ca", "unrelated CA");
  make.leaf("wrong-client", "stranger", "wrong-ca", "client");
  ca_cert = make.cert("ca");
  server_cert = make.cert("server");
  server_key = make.key("server");
  client_cert = make.cert("client");
  client_key = make.key("client");
  wrong_ca_cert = make.cert("wrong-ca");
  wrong_client_cert = make.cert("wrong-client");
  wrong_client_key = make.key("wrong-client");
}

}  // namespace vigia::test
