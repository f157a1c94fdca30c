package io.sluice.itests.checkpoint;

import io.sluice.checkpoint.CheckpointLeaseContract;
import java.io.File;
import java.io.IOException;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The checkpoint directory lease on HDFS ({@link MiniDFSCluster}), where production checkpoints live. */
class HdfsCheckpointLeaseTest extends CheckpointLeaseContract {
    private static MiniDFSCluster hdfs;

    @BeforeAll
    static void startHdfs() throws IOException {
        var conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, new File("target/minidfs-lease").getAbsolutePath());
        hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        hdfs.waitActive();
    }

    @AfterAll
    static void stopHdfs() {
        if (hdfs != null) {
            hdfs.shutdown();
        }
    }

    @Override
    protected FileSystem fileSystem() throws IOException {
        return hdfs.getFileSystem();
    }

    @Override
    protected Path newDirectory() {
        return new Path(hdfs.getURI() + "/lease-" + UUID.randomUUID() + "/checkpoint");
    }
}
