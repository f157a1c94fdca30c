package io.sluice.batch;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The lines of a list of files, one partition per file, read inside the task through the Hadoop
 * {@link FileSystem} API (so {@code file://}, {@code hdfs://} and any other configured scheme work). UTF-8; the line
 * terminators {@code \n}, {@code \r\n} and {@code \r} are removed.
 */
public final class TextFileDataset extends Dataset<String> {
    private final List<String> paths;

    public TextFileDataset(SluiceContext sc, List<String> paths) {
        super(sc, "textFile");
        this.paths = List.copyOf(paths);
    }

    public List<String> paths() {
        return paths;
    }

    @Override
    public int numPartitions() {
        return paths.size();
    }

    @Override
    public List<Dependency> dependencies() {
        return List.of();
    }

    @Override
    protected void compute(int partition, TaskContext ctx, Consumer<? super String> out) {
        Path path = new Path(paths.get(partition));
        try {
            FileSystem fs = path.getFileSystem(ctx.env().hadoopConf());
            try (var reader = new BufferedReader(new InputStreamReader(fs.open(path), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    out.accept(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Error reading " + path + " (partition " + partition + " of dataset " + id() + ")", e);
        }
    }
}
