//===- ir/VerifyCallGraph.cpp - recursion, size once inlined --------------===//
//
// Tarjan's strongly connected components with an explicit stack, so a
// chain of 20,000 calls cannot overflow ours; one diagnostic per cycle.
// Then, in an acyclic call graph, the ops of each function once inlined
// (MaxFunctionOps), bottom-up with saturating sums: 60 functions each calling
// the next twice is 2^60 ops, which must be refused, not built.
//
//===----------------------------------------------------------------------===//
#include "ir/VerifierImpl.h"

using namespace ircgpu;
using namespace ircgpu::verifier;

bool Verifier::verifyRecursion() {
  const size_t N = M.Functions.size();
  constexpr uint32_t Unvisited = ~0u;
  std::vector<uint32_t> IndexOf(N, Unvisited), Low(N, 0);
  std::vector<bool> OnStack(N, false);
  std::vector<uint32_t> Stack;
  std::vector<std::vector<uint32_t>> Components;
  struct Frame {
    uint32_t Node;
    size_t NextEdge;
  };
  std::vector<Frame> Work;
  uint32_t Counter = 0;

  for (uint32_t Root = 0; Root < N; ++Root) {
    if (IndexOf[Root] != Unvisited)
      continue;
    Work.push_back({Root, 0});
    IndexOf[Root] = Low[Root] = Counter++;
    Stack.push_back(Root);
    OnStack[Root] = true;
    while (!Work.empty()) {
      Frame &Fr = Work.back();
      uint32_t V = Fr.Node;
      if (Fr.NextEdge < Calls[V].size()) {
        uint32_t W = Calls[V][Fr.NextEdge++].To;
        if (IndexOf[W] == Unvisited) {
          IndexOf[W] = Low[W] = Counter++;
          Stack.push_back(W);
          OnStack[W] = true;
          Work.push_back({W, 0}); // Fr is invalid from here on
        } else if (OnStack[W]) {
          Low[V] = std::min(Low[V], IndexOf[W]);
        }
        continue;
      }
      if (Low[V] == IndexOf[V]) {
        std::vector<uint32_t> C;
        uint32_t W;
        do {
          W = Stack.back();
          Stack.pop_back();
          OnStack[W] = false;
          C.push_back(W);
        } while (W != V);
        Components.push_back(std::move(C));
      }
      Work.pop_back();
      if (!Work.empty())
        Low[Work.back().Node] = std::min(Low[Work.back().Node], Low[V]);
    }
  }

  std::vector<uint32_t> CompOf(N, 0);
  for (uint32_t C = 0; C < Components.size(); ++C)
    for (uint32_t V : Components[C])
      CompOf[V] = C;

  bool Cyclic = false;
  std::vector<uint32_t> Prev(N, Unvisited); // BFS tree; reset after each use
  for (uint32_t C = 0; C < Components.size(); ++C) {
    const auto &Comp = Components[C];
    uint32_t Start = *std::min_element(Comp.begin(), Comp.end());
    bool SelfLoop = false;
    for (const CallEdge &E : Calls[Start])
      SelfLoop |= E.To == Start;
    if (Comp.size() == 1 && !SelfLoop)
      continue;
    Cyclic = true;
    // Shortest path Start -> ... -> Start inside the component (BFS).
    std::vector<uint32_t> Queue{Start};
    uint32_t Last = Unvisited; // the node whose edge closes the cycle
    for (size_t Q = 0; Q < Queue.size() && Last == Unvisited; ++Q) {
      uint32_t V = Queue[Q];
      for (const CallEdge &E : Calls[V]) {
        if (E.To == Start) {
          Last = V;
          break;
        }
        if (CompOf[E.To] == C && Prev[E.To] == Unvisited) {
          Prev[E.To] = V;
          Queue.push_back(E.To);
        }
      }
    }
    assert(Last != Unvisited && "a component with a cycle has a cycle");
    if (Last == Unvisited)
      continue;
    std::vector<uint32_t> Path; // Start ... Last
    for (uint32_t V = Last; V != Start; V = Prev[V])
      Path.push_back(V);
    for (uint32_t V : Queue)
      Prev[V] = Unvisited;
    Path.push_back(Start);
    std::reverse(Path.begin(), Path.end());
    std::string Msg = "recursion: @" + M.Functions[Start]->Name;
    for (size_t I = 1; I < Path.size(); ++I)
      Msg += " calls @" + M.Functions[Path[I]]->Name;
    Msg += " calls @" + M.Functions[Start]->Name;
    uint32_t Next = Path.size() > 1 ? Path[1] : Start;
    SrcLoc L;
    for (const CallEdge &E : Calls[Start])
      if (E.To == Next) {
        L = E.Loc;
        break;
      }
    if (!L.isValid())
      L = M.Functions[Start]->Loc;
    if (!L.isValid())
      Msg += " (in @" + M.Functions[Start]->Name + ")";
    Diags.push_back({L, std::move(Msg)});
  }
  return Cyclic;
}

void Verifier::verifyInlinedSize() {
  const size_t N = M.Functions.size();
  constexpr uint64_t Cap = uint64_t(MaxFunctionOps) + 1; // "too many"
  constexpr uint64_t Unknown = ~uint64_t(0);
  std::vector<uint64_t> Size(N, Unknown);
  std::vector<uint32_t> Work;
  for (uint32_t Root = 0; Root < N; ++Root) {
    Work.push_back(Root);
    while (!Work.empty()) {
      uint32_t V = Work.back();
      if (Size[V] != Unknown) {
        Work.pop_back();
        continue;
      }
      bool Ready = true; // every callee's size known (the graph is acyclic)
      for (const CallEdge &E : Calls[V])
        if (Size[E.To] == Unknown) {
          Work.push_back(E.To);
          Ready = false;
        }
      if (!Ready)
        continue;
      Work.pop_back();
      uint64_t S = std::min(OwnOps[V], Cap);
      bool CalleeTooBig = false;
      for (const CallEdge &E : Calls[V]) {
        CalleeTooBig |= Size[E.To] >= Cap;
        // Both factors are at most Cap (2^20 + 1): the product fits.
        S = std::min(Cap, S + std::min(E.Count, Cap) * Size[E.To]);
      }
      Size[V] = S;
      // Only where the limit is first passed: its callers pass it too.
      if (S >= Cap && !CalleeTooBig)
        Diags.push_back({M.Functions[V]->Loc,
                         "@" + M.Functions[V]->Name + " has more than " +
                             llvm::Twine(MaxFunctionOps).str() +
                             " ops once its calls are inlined"});
    }
  }
}
