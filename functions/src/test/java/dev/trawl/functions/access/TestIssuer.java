package dev.trawl.functions.access;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * An OpenID provider for tests, in-process: real HTTP serving discovery
 * ({@code /.well-known/openid-configuration}) and the JWKS of an RSA key it made, and JWTs signed
 * with that key. Not a mock of the security layer: the API fetches and checks exactly as it would
 * against Keycloak or Entra ID.
 */
final class TestIssuer implements AutoCloseable {
    private final HttpServer server;
    private final RSAKey key;
    private final String issuer;

    TestIssuer() throws Exception {
        key = new RSAKeyGenerator(2048).keyID("test-key").generate();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        issuer = "http://127.0.0.1:" + server.getAddress().getPort() + "/realms/trawl";
        server.createContext("/realms/trawl/.well-known/openid-configuration", x -> {
            byte[] body = ("{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + issuer + "/jwks\","
                    + "\"authorization_endpoint\":\"" + issuer + "/auth\",\"token_endpoint\":\"" + issuer + "/token\","
                    + "\"subject_types_supported\":[\"public\"],\"id_token_signing_alg_values_supported\":[\"RS256\"]}").getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "application/json");
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        server.createContext("/realms/trawl/jwks", x -> {
            byte[] body = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "application/json");
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        server.start();
    }

    String issuer() {
        return issuer;
    }

    /** A JWT for {@code subject} in {@code groups}, for {@code audience}, valid from now for {@code validSeconds} (negative: expired). */
    String token(String subject, List<String> groups, String audience, long validSeconds) throws Exception {
        return sign(key, issuer, subject, groups, audience, validSeconds);
    }

    /** The same, signed by a key the issuer never published. */
    String forged(String subject, List<String> groups, String audience) throws Exception {
        return sign(new RSAKeyGenerator(2048).keyID("test-key").generate(), issuer, subject, groups, audience, 300);
    }

    private static String sign(RSAKey with, String issuer, String subject, List<String> groups, String audience, long validSeconds)
            throws Exception {
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .subject(subject)
                .audience(audience)
                .issueTime(Date.from(now.minusSeconds(validSeconds < 0 ? 600 : 0)))
                .notBeforeTime(Date.from(now.minusSeconds(validSeconds < 0 ? 600 : 5)))
                .expirationTime(Date.from(now.plusSeconds(validSeconds)))
                .claim("groups", groups)
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(with.getKeyID()).build(), claims);
        jwt.sign(new RSASSASigner(with));
        return jwt.serialize();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
