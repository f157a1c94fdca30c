package io.sluice.conf;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Every configuration key the modules on a class path declare ({@link ConfigKeyProvider}s found through
 * {@link ServiceLoader}): what validation checks values against, what the unknown-key warning compares names with,
 * and what {@link ConfigDocs} documents. Immutable; {@link #load} builds one.
 */
public final class ConfigRegistry {
    /** The keys of one module. */
    public record Module(String name, List<ConfigKey<?>> keys) {
        public Module {
            keys = List.copyOf(keys);
        }
    }

    private final List<Module> modules;
    private final Map<String, ConfigKey<?>> byName = new LinkedHashMap<>();
    /** Deprecated name to the keys replacing it (one old key may have been split into several, e.g. per role). */
    private final Map<String, List<ConfigKey<?>>> byDeprecatedName = new LinkedHashMap<>();
    private final List<String> openPrefixes = new ArrayList<>();

    private ConfigRegistry(List<ConfigKeyProvider> providers) {
        var mods = new ArrayList<Module>();
        var sorted = new ArrayList<>(providers);
        // runtime first, then the other modules by name, so the generated documents do not depend on class path order
        sorted.sort(Comparator.comparing((ConfigKeyProvider p) -> !p.module().equals(SluiceConf.MODULE))
                .thenComparing(ConfigKeyProvider::module));
        for (ConfigKeyProvider p : sorted) {
            if (mods.stream().anyMatch(m -> m.name().equals(p.module()))) {
                continue; // the same provider seen through two class loaders
            }
            mods.add(new Module(p.module(), p.keys()));
            openPrefixes.addAll(p.openPrefixes());
            for (ConfigKey<?> key : p.keys()) {
                ConfigKey<?> other = byName.putIfAbsent(key.name(), key);
                if (other != null) {
                    throw new IllegalStateException("configuration key " + key.name() + " is declared twice; module "
                            + p.module());
                }
                for (String old : key.deprecatedNames()) {
                    byDeprecatedName.computeIfAbsent(old, n -> new ArrayList<>()).add(key);
                }
            }
        }
        for (String old : byDeprecatedName.keySet()) {
            if (byName.containsKey(old)) {
                throw new IllegalStateException("configuration key " + old + " is declared, and deprecated by "
                        + byDeprecatedName.get(old));
            }
        }
        this.modules = List.copyOf(mods);
    }

    /** The keys of the providers {@code loader} finds (runtime's are always among them). */
    public static ConfigRegistry load(ClassLoader loader) {
        var providers = new ArrayList<ConfigKeyProvider>();
        providers.add(SluiceConf.provider());
        try {
            for (ConfigKeyProvider p : ServiceLoader.load(ConfigKeyProvider.class, loader)) {
                providers.add(p);
            }
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("Cannot load the configuration keys of a module on the class path: " + e.getMessage(), e);
        }
        return new ConfigRegistry(providers);
    }

    /** The registry of the thread's context class loader (where the application's modules are), else runtime's. */
    public static ConfigRegistry load() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return load(context != null ? context : ConfigRegistry.class.getClassLoader());
    }

    /** The given providers only (for tests). */
    static ConfigRegistry of(List<ConfigKeyProvider> providers) {
        return new ConfigRegistry(providers);
    }

    public List<Module> modules() {
        return modules;
    }

    /** Every key, module by module (runtime first), each in its declaration order. */
    public List<ConfigKey<?>> keys() {
        return modules.stream().flatMap(m -> m.keys().stream()).toList();
    }

    /** The key named {@code name} (its current name). */
    public Optional<ConfigKey<?>> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The keys that list {@code name} among their deprecated names; empty when it is no deprecated name. */
    public List<ConfigKey<?>> replacements(String name) {
        return List.copyOf(byDeprecatedName.getOrDefault(name, List.of()));
    }

    /** True for a key below an open prefix ({@link ConfigKeyProvider#openPrefixes()}), such as {@code sluice.hadoop.}. */
    public boolean isOpen(String name) {
        return openPrefixes.stream().anyMatch(name::startsWith);
    }

    /** The declared key whose name is closest to {@code name} (fewest single-character edits). */
    public Optional<ConfigKey<?>> closest(String name) {
        ConfigKey<?> best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (ConfigKey<?> key : keys()) {
            int d = editDistance(name, key.name());
            if (d < bestDistance) {
                best = key;
                bestDistance = d;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Levenshtein distance, case-insensitive (a key written in the wrong case is a typo too). */
    static int editDistance(String a, String b) {
        String x = a.toLowerCase(java.util.Locale.ROOT);
        String y = b.toLowerCase(java.util.Locale.ROOT);
        int[] prev = new int[y.length() + 1];
        int[] cur = new int[y.length() + 1];
        for (int j = 0; j <= y.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= x.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= y.length(); j++) {
                int subst = prev[j - 1] + (x.charAt(i - 1) == y.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(subst, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[y.length()];
    }
}
