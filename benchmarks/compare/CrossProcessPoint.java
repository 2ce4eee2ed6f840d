// Runs one cross-process point of a benchmarks jar (this branch's or an older one's) and prints
// "TYPE PROCESSES OPS_PER_SECOND". Launched by benchmarks/compare.sh as a source file with that jar on the
// class path: java -cp benchmarks.jar CrossProcessPoint.java thread_local 2 10
public class CrossProcessPoint {
    public static void main(String[] args) throws Exception {
        var r = dev.hshm.bench.CrossProcess.run(args[0], Integer.parseInt(args[1]), Integer.parseInt(args[2]));
        System.out.println(args[0] + " " + args[1] + " " + (long) r.opsPerSecond());
        System.exit(0);
    }
}
