package dev.trawl.functions.access;

import dev.trawl.core.access.BrowserGuard;
import dev.trawl.core.audit.AuditStore;
import dev.trawl.core.s3.S3Settings;
import dev.trawl.functions.TrawlConfiguration.TrawlEnv;
import dev.trawl.functions.clickhouse.SharedClickHouse;
import dev.trawl.functions.routes.Role;
import dev.trawl.functions.routes.Route;
import dev.trawl.functions.routes.Routes;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.convert.converter.Converter;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtAudienceValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.security.oauth2.server.resource.authentication.OpaqueTokenAuthenticationProvider;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The API as an OAuth2 resource server. Two filter chains: the broker's {@code /events} and the
 * probes' {@code /health} (no bearer token: events carry the stack's events token, health says
 * nothing), and everything else, where each endpoint needs the role the route table names,
 * checked against an API token of {@code TRAWL_AUTH_TOKENS_FILE}, a JWT of the OIDC issuer, or
 * (with {@code TRAWL_AUTH=none}, loopback only) nobody. Both chains apply {@link BrowserGuard}
 * and every request the main chain sees may become an audit record.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
public class SecurityConfiguration {
    private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);
    public static final String PROTECTED_RESOURCE_METADATA = "/.well-known/oauth-protected-resource";
    /**
     * Probes and scrapes, open and reached by the pod's address: liveness, and the management port's health and
     * metrics (counts, no traffic; that port serves nothing else).
     */
    static final List<String> PROBES = List.of("/health", "/healthz", "/actuator/health", "/actuator/health/liveness",
            "/actuator/health/readiness", "/actuator/prometheus");

    @Bean
    public AccessSettings accessSettings(TrawlEnv env, Environment environment) {
        AccessSettings settings = AccessSettings.from(env);
        String address = environment.getProperty("server.address");
        if (settings.open()) {
            if (!BrowserGuard.isLoopback(address) && !settings.insecure()) {
                throw new IllegalStateException("TRAWL_AUTH=none on " + (address == null ? "every interface" : address)
                        + ": anyone who reaches this port could read all captured traffic. Set TRAWL_AUTH=tokens or oidc, listen on"
                        + " loopback only (server.address=127.0.0.1), or accept the risk with TRAWL_AUTH_INSECURE=true");
            }
            log.warn("TRAWL_AUTH=none: the API asks nobody who is calling (listening on {})", address == null ? "every interface" : address);
        }
        return settings;
    }

    @Bean
    public BrowserGuard browserGuard(TrawlEnv env) {
        return BrowserGuard.from(env::lookup);
    }

    @Bean
    public AuditStore auditStore(S3Client s3, S3Settings s3Settings, TrawlEnv env) {
        // a name per process: replicas never write the same key
        String host = env.get("HOSTNAME", "api").toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9.-]", "-");
        String writer = (host.length() > 40 ? host.substring(0, 40) : host).replaceAll("^[^a-z0-9]+", "") + "-"
                + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 16);
        return new AuditStore(s3, s3Settings.bucket(), writer);
    }

    /** {@code TRAWL_AUDIT_FLUSH_MS} (default 2000) and {@code TRAWL_AUDIT_BATCH} (default 500): when a batch of records becomes an object. */
    @Bean(destroyMethod = "close")
    public AuditTrail auditTrail(AuditStore store, Clock clock, TrawlEnv env, ObjectProvider<SharedClickHouse> clickHouse) {
        SharedClickHouse analysts = clickHouse.getIfAvailable();
        return new AuditTrail(store, clock, Duration.ofMillis(Long.parseLong(env.get("TRAWL_AUDIT_FLUSH_MS", "2000"))),
                Integer.parseInt(env.get("TRAWL_AUDIT_BATCH", "500")), analysts == null ? List.of() : List.of(new AuditTable(analysts)));
    }

    @Bean
    public RequestRefusals requestRefusals(AccessSettings settings) {
        return new RequestRefusals(settings);
    }

    /** {@code /events} and the probes: no caller identity here (the events controller checks the events token). */
    @Bean
    @org.springframework.core.annotation.Order(1)
    public SecurityFilterChain unauthenticatedPaths(HttpSecurity http, BrowserGuard guard, AuditTrail audit) throws Exception {
        http.securityMatcher(concat(List.of("/events"), PROBES))
                .csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(c -> c.disable())
                .authorizeHttpRequests(a -> a.anyRequest().permitAll())
                .addFilterBefore(new AuditFilter(audit), BearerTokenAuthenticationFilter.class)
                .addFilterBefore(new BrowserGuardFilter(guard, PROBES), BearerTokenAuthenticationFilter.class);
        return http.build();
    }

    @Bean
    @org.springframework.core.annotation.Order(2)
    public SecurityFilterChain api(HttpSecurity http, AccessSettings settings, BrowserGuard guard,
            RequestRefusals refusals, AuditTrail audit) throws Exception {
        http.csrf(c -> c.disable()) // no cookies: a bearer token cannot ride a cross-site request (and BrowserGuard)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(c -> c.disable())
                .exceptionHandling(e -> e.authenticationEntryPoint(refusals).accessDeniedHandler(refusals))
                .addFilterBefore(new AuditFilter(audit), BearerTokenAuthenticationFilter.class)
                .addFilterBefore(new BrowserGuardFilter(guard), BearerTokenAuthenticationFilter.class)
                .authorizeHttpRequests(a -> {
                    a.requestMatchers(PROTECTED_RESOURCE_METADATA).permitAll();
                    for (Route route : Routes.all()) {
                        for (RequestMatcher matcher : matchers(route)) {
                            if (route.role() == Role.ANYONE) a.requestMatchers(matcher).permitAll();
                            else a.requestMatchers(matcher).hasRole(route.role().name());
                        }
                    }
                    // any other path reaches its 404 only with a valid identity
                    a.anyRequest().hasRole(Role.VIEWER.name());
                });
        if (guard.origins().isEmpty()) {
            http.cors(c -> c.disable());
        } else {
            CorsConfiguration cors = new CorsConfiguration();
            cors.setAllowedOrigins(List.copyOf(guard.origins()));
            cors.setAllowedMethods(List.of("GET", "HEAD", "POST", "DELETE"));
            cors.setAllowedHeaders(List.of("Authorization", "Content-Type", "Accept", "Mcp-Protocol-Version"));
            var source = new UrlBasedCorsConfigurationSource();
            source.registerCorsConfiguration("/**", cors);
            http.cors(c -> c.configurationSource(source));
        }
        if (settings.open()) {
            http.anonymous(a -> a.authorities(Callers.authorities(Role.ADMIN)));
        } else {
            ProviderManager manager = new ProviderManager(providers(settings));
            http.oauth2ResourceServer(o -> {
                o.authenticationManagerResolver(request -> manager)
                        .authenticationEntryPoint(refusals)
                        .accessDeniedHandler(refusals);
                if (settings.oidc()) {
                    o.protectedResourceMetadata(m -> m.protectedResourceMetadataCustomizer(b -> b
                            .authorizationServer(settings.issuer())
                            .resourceName("trawl")
                            .bearerMethod("header")));
                }
            });
        }
        return http.build();
    }

    private static String[] concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toArray(String[]::new);
    }

    /** The requests of a route: its method and path (a GET's HEAD too). */
    static List<RequestMatcher> matchers(Route route) {
        HttpMethod method = HttpMethod.valueOf(route.method());
        var matchers = new ArrayList<RequestMatcher>();
        matchers.add(PathPatternRequestMatcher.withDefaults().matcher(method, route.pattern()));
        if (method == HttpMethod.GET) matchers.add(PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.HEAD, route.pattern()));
        return matchers;
    }

    /** API tokens first (a hash lookup), then JWTs: a token neither accepts is refused. */
    static List<AuthenticationProvider> providers(AccessSettings settings) {
        List<AuthenticationProvider> providers = new ArrayList<>();
        if (settings.tokens()) providers.add(new OpaqueTokenAuthenticationProvider(new TokenFile(settings.tokensFile())));
        if (settings.oidc()) {
            JwtAuthenticationProvider jwt = new JwtAuthenticationProvider(new IssuerJwtDecoder(settings));
            jwt.setJwtAuthenticationConverter(new OidcRoles(settings));
            providers.add(jwt);
        }
        return providers;
    }

    /**
     * JWTs checked against the issuer's discovery document and JWKS, fetched on the first JWT rather than at start (an
     * OpenID provider that is down must not keep the API, and its API tokens, from starting) and again after a failure.
     * Signature, {@code iss}, {@code exp}/{@code nbf} and {@code aud} are checked.
     */
    static final class IssuerJwtDecoder implements JwtDecoder {
        private final AccessSettings settings;
        private volatile JwtDecoder decoder;

        IssuerJwtDecoder(AccessSettings settings) {
            this.settings = settings;
        }

        @Override
        public Jwt decode(String token) {
            JwtDecoder d = decoder;
            if (d == null) {
                synchronized (this) {
                    if (decoder == null) decoder = connect();
                    d = decoder;
                }
            }
            return d.decode(token);
        }

        private JwtDecoder connect() {
            var requests = new SimpleClientHttpRequestFactory();
            requests.setConnectTimeout(Duration.ofSeconds(5));
            requests.setReadTimeout(Duration.ofSeconds(15));
            try {
                NimbusJwtDecoder nimbus = NimbusJwtDecoder.withIssuerLocation(settings.issuer()).restOperations(new RestTemplate(requests)).build();
                nimbus.setJwtValidator(new DelegatingOAuth2TokenValidator<>(
                        JwtValidators.createDefaultWithIssuer(settings.issuer()), new JwtAudienceValidator(settings.audience())));
                return nimbus;
            } catch (RuntimeException e) {
                throw new JwtException("the OpenID provider " + settings.issuer() + " cannot be reached: " + e.getMessage(), e);
            }
        }
    }

    /** Roles from the token's {@code TRAWL_AUTH_OIDC_ROLES_CLAIM} through {@code TRAWL_AUTH_OIDC_ROLE_MAP}; the highest one mapped wins. */
    static final class OidcRoles implements Converter<Jwt, AbstractAuthenticationToken> {
        private final AccessSettings settings;

        OidcRoles(AccessSettings settings) {
            this.settings = settings;
        }

        @Override
        public AbstractAuthenticationToken convert(Jwt jwt) {
            Role best = null;
            for (String group : groups(jwt.getClaims().get(settings.rolesClaim()))) {
                Role mapped = settings.roleMap().get(group);
                if (mapped != null && (best == null || mapped.includes(best))) best = mapped;
            }
            var authorities = best == null ? AuthorityUtils.NO_AUTHORITIES : AuthorityUtils.createAuthorityList(Callers.authorities(best));
            // the subject: what the issuer guarantees stable and unique (a display name may be chosen by the user)
            return new JwtAuthenticationToken(jwt, authorities);
        }

        private static List<String> groups(Object claim) {
            if (claim instanceof Collection<?> values) return values.stream().map(String::valueOf).toList();
            if (claim instanceof String one) return List.of(one.split("[ ,]+"));
            return List.of();
        }
    }
}
