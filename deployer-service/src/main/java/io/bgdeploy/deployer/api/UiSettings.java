package io.bgdeploy.deployer.api;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Where the web UI links to: the health dashboard ({@code ui.health-dashboard-url}) and the apps
 * as HAProxy serves them ({@code ui.public-url}). Kept apart from {@code deployer.*}, which the
 * service's configuration mapping owns.
 */
@ApplicationScoped
public class UiSettings {

    private final String healthDashboardUrl;
    private final String publicUrl;

    public UiSettings(@ConfigProperty(name = "ui.health-dashboard-url", defaultValue = "http://127.0.0.1:8082/") String healthDashboardUrl,
                      @ConfigProperty(name = "ui.public-url", defaultValue = "http://127.0.0.1:8000/") String publicUrl) {
        this.healthDashboardUrl = healthDashboardUrl;
        this.publicUrl = publicUrl;
    }

    public String healthDashboardUrl() {
        return healthDashboardUrl;
    }

    public String publicUrl() {
        return publicUrl;
    }
}
