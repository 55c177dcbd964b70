// Worker processes and the broker are shared, and the machine is small: run test classes one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
