package dev.wirelab.control.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.wirelab.control.config.WirelabProperties;
import org.flywaydb.core.Flyway;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The data source: {@code spring.datasource.url} or {@code wirelab.db.url} (env {@code WIRELAB_DB_URL})
 * when set, else the embedded PostgreSQL; the schema is migrated by Flyway before anything uses it.
 */
@Configuration(proxyBeanMethods = false)
public class DatabaseConfig {

    @Bean(destroyMethod = "close")
    public DatabaseServer databaseServer(WirelabProperties props, Environment env) {
        String url = env.getProperty("spring.datasource.url", props.db().url());
        String user = env.getProperty("spring.datasource.username", props.db().username());
        String password = env.getProperty("spring.datasource.password", props.db().password());
        return DatabaseServer.start(url, user, password, props.db().embedded());
    }

    @Bean(destroyMethod = "close")
    public HikariDataSource dataSource(DatabaseServer server, WirelabProperties props) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(server.jdbcUrl());
        if (!server.username().isBlank()) {
            c.setUsername(server.username());
        }
        if (!server.password().isBlank()) {
            c.setPassword(server.password());
        }
        c.setPoolName("wirelab");
        c.setMaximumPoolSize(props.db().poolSize());
        // Fail fast while the database is away: requests get an error, the ingest writer retries.
        c.setConnectionTimeout(3000);
        c.setInitializationFailTimeout(30_000);
        HikariDataSource ds = new HikariDataSource(c);
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        return ds;
    }
}
