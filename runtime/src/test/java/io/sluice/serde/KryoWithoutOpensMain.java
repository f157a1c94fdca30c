package io.sluice.serde;

import io.sluice.conf.SluiceConf;

/** Started by {@link KryoSerializerOpensTest} in a JVM without the add-opens options. */
public final class KryoWithoutOpensMain {
    private KryoWithoutOpensMain() {
    }

    public static void main(String[] args) {
        try {
            new KryoSerializer(new SluiceConf(false));
            System.out.println("constructed");
        } catch (IllegalStateException e) {
            System.out.println(e.getMessage());
        }
    }
}
