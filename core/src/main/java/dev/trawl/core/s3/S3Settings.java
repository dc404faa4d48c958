package dev.trawl.core.s3;

import java.net.URI;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Where trawl's bucket is and how to reach it. On AWS only the bucket is needed (region and
 * credentials come from the default chains, e.g. IRSA); the embedded S3 adds an endpoint and
 * static credentials.
 *
 * <p>Environment: {@code TRAWL_S3_BUCKET} (default {@code trawl}), {@code TRAWL_S3_ENDPOINT},
 * {@code TRAWL_S3_REGION} (default {@code us-east-1} with an endpoint), and
 * {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}.
 */
public record S3Settings(String bucket, URI endpoint, String region, String accessKeyId, String secretAccessKey) {

    public S3Settings {
        Objects.requireNonNull(bucket, "bucket");
    }

    public static S3Settings fromEnv() {
        return fromEnv(System.getenv());
    }

    public static S3Settings fromEnv(Map<String, String> env) {
        return from(env::get);
    }

    /**
     * From any lookup of the environment-style names above: in a Spring app pass
     * {@code environment::getProperty}, so the local stack can hand the same names in as properties.
     */
    public static S3Settings from(java.util.function.Function<String, String> lookup) {
        String endpoint = blankToNull(lookup.apply("TRAWL_S3_ENDPOINT"));
        String bucket = blankToNull(lookup.apply("TRAWL_S3_BUCKET"));
        String region = blankToNull(lookup.apply("TRAWL_S3_REGION"));
        return new S3Settings(
                bucket == null ? "trawl" : bucket,
                endpoint == null ? null : URI.create(endpoint),
                region != null ? region : blankToNull(lookup.apply("AWS_REGION")),
                blankToNull(lookup.apply("AWS_ACCESS_KEY_ID")),
                blankToNull(lookup.apply("AWS_SECRET_ACCESS_KEY")));
    }

    public static S3Settings embedded(URI endpoint, String bucket, String accessKeyId, String secretAccessKey) {
        return new S3Settings(bucket, endpoint, "us-east-1", accessKeyId, secretAccessKey);
    }

    public S3Client client() {
        return clientBuilder().build();
    }

    /** The builder {@link #client()} builds, for a caller that adds to it (e.g. an interceptor). */
    public software.amazon.awssdk.services.s3.S3ClientBuilder clientBuilder() {
        var builder = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .region(awsRegion())
                .credentialsProvider(credentials())
                // checksums are computed and checked by trawl itself (sha256 in every meta and manifest)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (endpoint != null) {
            builder.endpointOverride(endpoint)
                    .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build());
        }
        return builder;
    }

    public S3Presigner presigner() {
        var builder = S3Presigner.builder().region(awsRegion()).credentialsProvider(credentials());
        if (endpoint != null) {
            builder.endpointOverride(endpoint)
                    .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build());
        }
        return builder.build();
    }

    private Region awsRegion() {
        return Region.of(region == null ? "us-east-1" : region);
    }

    private AwsCredentialsProvider credentials() {
        if (accessKeyId != null && secretAccessKey != null) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secretAccessKey));
        }
        return DefaultCredentialsProvider.builder().build();
    }

    /** The variables a child process or another component needs to reach the same bucket. */
    public Map<String, String> toEnv() {
        var env = new java.util.LinkedHashMap<String, String>();
        env.put("TRAWL_S3_BUCKET", bucket);
        if (endpoint != null) env.put("TRAWL_S3_ENDPOINT", endpoint.toString());
        if (region != null) env.put("TRAWL_S3_REGION", region);
        if (accessKeyId != null) env.put("AWS_ACCESS_KEY_ID", accessKeyId);
        if (secretAccessKey != null) env.put("AWS_SECRET_ACCESS_KEY", secretAccessKey);
        return env;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
