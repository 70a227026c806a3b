package specs_test

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

const module = "github.com/stampede-mq/stampede"

// allowedImports is the package map of DESIGN: which of our packages, and
// which third-party modules, each package may import directly. The standard
// library is always allowed.
var allowedImports = map[string][]string{
	"codec":     {},
	"reconnect": {},
	"handlers":  {"codec", "reconnect"},
	"loop":      {"codec", "github.com/panjf2000/gnet/v2", "golang.org/x/sys"},
	"websocket": {"codec", "loop", "github.com/gobwas/ws"},
	"multicast": {"codec", "handlers", "golang.org/x/net/ipv4"},
	"broker":    {"codec", "loop", "websocket", "github.com/panjf2000/gnet/v2", "github.com/gobwas/ws"},
	"":          {"codec", "reconnect", "handlers", "loop", "websocket", "internal/secret"},
}

type listedPackage struct {
	ImportPath string
	Imports    []string
	Standard   bool
}

var _ = Describe("the package map", func() {
	It("keeps every package to the imports the design allows", func() {
		cmd := exec.Command("go", "list", "-json", module+"/...")
		out, err := cmd.StdoutPipe()
		Expect(err).NotTo(HaveOccurred())
		Expect(cmd.Start()).To(Succeed())
		dec := json.NewDecoder(out)
		checked := 0
		for {
			var p listedPackage
			if err := dec.Decode(&p); err == io.EOF {
				break
			} else {
				Expect(err).NotTo(HaveOccurred())
			}
			rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
			top := strings.SplitN(rel, "/", 2)[0]
			allowed, governed := allowedImports[top]
			if !governed || strings.Contains(rel, "internal") || strings.Contains(rel, "test") {
				continue
			}
			checked++
			for _, imp := range p.Imports {
				if !strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") {
					continue // standard library
				}
				ok := false
				for _, a := range allowed {
					full := a
					if !strings.Contains(a, ".") {
						full = module + "/" + a
					}
					if imp == full || strings.HasPrefix(imp, full+"/") {
						ok = true
					}
				}
				if strings.HasPrefix(imp, module+"/"+top+"/") {
					ok = true // a package's own subpackages
				}
				Expect(ok).To(BeTrue(), "%s imports %s, which the package map does not allow", p.ImportPath, imp)
			}
		}
		Expect(cmd.Wait()).To(Succeed())
		Expect(checked).To(BeNumerically(">", 0))
	})
})
