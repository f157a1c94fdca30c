package io.sluice.batch;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes a dataset as a directory of part files through the Hadoop FileSystem API (local, HDFS, ...).
 * Each task writes its part under {@code _temporary} and renames it into place; {@code _SUCCESS} marks a
 * complete directory. An existing directory is replaced, so a re-run batch does not duplicate its output.
 */
final class HadoopOutput {
    private HadoopOutput() {
    }

    static <T> void saveAsTextFile(Dataset<T> ds, String dir) {
        save(ds, dir, (fs, file, p, ctx) -> {
            try (Writer w = new OutputStreamWriter(fs.create(file, true), StandardCharsets.UTF_8)) {
                IOException[] failure = new IOException[1];
                ds.iterate(p, ctx, t -> {
                    try {
                        w.write(String.valueOf(t));
                        w.write('\n');
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        });
    }

    static <T> void saveAsObjectFile(Dataset<T> ds, String dir) {
        save(ds, dir, (fs, file, p, ctx) -> {
            try (var out = new ObjectOutputStream(fs.create(file, true))) {
                ds.iterate(p, ctx, t -> {
                    try {
                        out.writeObject(t);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        });
    }

    @FunctionalInterface
    private interface PartWriter extends java.io.Serializable {
        void write(FileSystem fs, Path file, int partition, TaskContext ctx) throws IOException;
    }

    private static <T> void save(Dataset<T> ds, String dir, PartWriter writer) {
        Configuration conf = ds.context().hadoopConf();
        Path target = new Path(dir);
        Path temp = new Path(target.getParent(), "." + target.getName() + "._temporary");
        try {
            FileSystem fs = target.getFileSystem(conf);
            fs.delete(temp, true);
            // the task gets the path as a string and the Hadoop configuration from its environment: neither a
            // Configuration nor a Path is meant to be serialized
            String tempDir = temp.toString();
            ds.context().runJob(ds, "save", (p, ctx) -> {
                Path dirPath = new Path(tempDir);
                FileSystem taskFs = dirPath.getFileSystem(ctx.env().hadoopConf());
                writer.write(taskFs, new Path(dirPath, String.format("part-%05d", p)), p, ctx);
                return null;
            });
            fs.create(new Path(temp, "_SUCCESS"), true).close();
            if (fs.exists(target)) {
                fs.delete(target, true);
            }
            if (!fs.rename(temp, target)) {
                throw new IOException("could not rename " + temp + " to " + target);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Failed to save dataset to " + dir + ": " + e.getMessage(), e);
        }
    }
}
