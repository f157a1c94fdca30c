package io.sluice.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.conf.SluiceConf;
import io.sluice.serde.KryoSerializer;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An executor's block store: serialized levels within a memory budget, spilling to files beyond it. */
class BlockStoreTest {
    private final KryoSerializer serializer = new KryoSerializer(new SluiceConf(false));

    @TempDir
    Path dir;

    private static List<String> records(int n) {
        return IntStream.range(0, n).mapToObj(i -> "r" + i).toList();
    }

    @Test
    void serializedBlocksStayInMemoryWithinTheBudgetAndGoToDiskBeyondItReadingBackIdentically() throws Exception {
        var store = new BlockStore(serializer, 10_000, dir.resolve("blocks"));
        store.putOwned("input-0-1", records(100), StorageLevel.MEMORY_AND_DISK_SER_2); // well under 10 kB
        assertThat(store.stored("input-0-1")).isInstanceOf(BlockStore.InMemoryBytes.class);
        long inMemory = store.memoryUsed();
        assertThat(inMemory).isPositive();

        store.putOwned("input-0-2", records(5_000), StorageLevel.MEMORY_AND_DISK_SER_2); // ~30 kB: beyond it
        var onDisk = (BlockStore.OnDisk) store.stored("input-0-2");
        assertThat(onDisk.file()).exists().startsWith(dir.resolve("blocks"));
        assertThat(onDisk.count()).isEqualTo(5_000);
        assertThat(store.memoryUsed()).isEqualTo(inMemory);

        assertThat(store.<String>get("input-0-1")).isEqualTo(records(100));
        assertThat(store.<String>get("input-0-2")).isEqualTo(records(5_000));
        // the stream serves the file's bytes as they are
        try (var in = Channels.newInputStream(store.openSerialized("input-0-2"))) {
            assertThat(in.readAllBytes()).isEqualTo(Files.readAllBytes(onDisk.file()));
        }

        store.remove("input-0-2");
        store.remove("input-0-1");
        assertThat(onDisk.file()).doesNotExist();
        assertThat(store.memoryUsed()).isZero();
        assertThat(store.<String>get("input-0-2")).isNull();
    }

    @Test
    void levelsWithoutDiskStayInMemoryAndDeserializedLevelsKeepObjects() {
        var store = new BlockStore(serializer, 100, dir.resolve("blocks"));
        store.putOwned("a", records(1_000), StorageLevel.MEMORY_ONLY_SER);
        assertThat(store.stored("a")).as("received data is never dropped").isInstanceOf(BlockStore.InMemoryBytes.class);
        store.putOwned("b", records(10), StorageLevel.MEMORY_ONLY);
        assertThat(store.stored("b")).isInstanceOf(BlockStore.Objects.class);
        assertThat(store.<String>get("a")).isEqualTo(records(1_000));

        var local = new BlockStore();
        local.putOwned("c", records(10), StorageLevel.MEMORY_AND_DISK_SER_2);
        assertThat(local.stored("c")).as("local mode keeps objects").isInstanceOf(BlockStore.Objects.class);
    }
}
