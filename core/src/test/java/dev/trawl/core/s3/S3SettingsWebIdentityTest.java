package dev.trawl.core.s3;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On EKS every component gets its S3 rights from IRSA: the pod carries a role ARN and a web
 * identity token file, and the SDK trades the token for the role's credentials at STS. That
 * trade needs the SDK's sts module at run time; without it the default chain skips web identity
 * and falls through to the node's instance role. The STS here is a local HTTP server answering
 * AssumeRoleWithWebIdentity; the SDK reads the same settings from system properties as it does
 * from the pod's AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE.
 */
class S3SettingsWebIdentityTest {
    private static final List<String> PROPERTIES = List.of(
            "aws.roleArn", "aws.webIdentityTokenFile", "aws.roleSessionName", "aws.endpointUrlSts", "aws.region");

    private HttpServer sts;

    @AfterEach
    void clear() {
        PROPERTIES.forEach(System::clearProperty);
        if (sts != null) sts.stop(0);
    }

    @Test
    void anIrsaPodSignsWithItsRolesCredentials(@TempDir Path dir) throws Exception {
        List<Map<String, String>> requests = new CopyOnWriteArrayList<>();
        sts = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        sts.createContext("/", exchange -> {
            requests.add(form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            byte[] body = ("""
                    <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                      <AssumeRoleWithWebIdentityResult>
                        <Credentials>
                          <AccessKeyId>ASIAROLEFUNCTIONS</AccessKeyId>
                          <SecretAccessKey>role-secret</SecretAccessKey>
                          <SessionToken>role-session-token</SessionToken>
                          <Expiration>%s</Expiration>
                        </Credentials>
                      </AssumeRoleWithWebIdentityResult>
                    </AssumeRoleWithWebIdentityResponse>
                    """.formatted(java.time.Instant.now().plus(Duration.ofHours(1)))).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/xml");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        sts.start();
        Path token = Files.writeString(dir.resolve("token"), "projected-service-account-token");
        System.setProperty("aws.roleArn", "arn:aws:iam::000000000000:role/trawl-functions");
        System.setProperty("aws.webIdentityTokenFile", token.toString());
        System.setProperty("aws.roleSessionName", "trawl-test");
        System.setProperty("aws.endpointUrlSts", "http://127.0.0.1:" + sts.getAddress().getPort());
        System.setProperty("aws.region", "eu-west-1");

        // what a pod's ConfigMap gives: the bucket and region, no keys
        S3Settings settings = S3Settings.fromEnv(Map.of("TRAWL_S3_BUCKET", "trawl", "TRAWL_S3_REGION", "eu-west-1"));
        String url;
        try (var presigner = settings.presigner()) {
            url = presigner.presignGetObject(b -> b.signatureDuration(Duration.ofMinutes(5))
                    .getObjectRequest(g -> g.bucket("trawl").key("snapshots/s/manifest.json"))).url().toString();
        }

        assertThat(requests).hasSize(1);
        assertThat(requests.getFirst())
                .containsEntry("Action", "AssumeRoleWithWebIdentity")
                .containsEntry("RoleArn", "arn:aws:iam::000000000000:role/trawl-functions")
                .containsEntry("WebIdentityToken", "projected-service-account-token");
        assertThat(url).contains("X-Amz-Credential=ASIAROLEFUNCTIONS").contains("X-Amz-Security-Token=role-session-token");
    }

    private static Map<String, String> form(String body) {
        var fields = new java.util.LinkedHashMap<String, String>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) fields.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return fields;
    }
}
