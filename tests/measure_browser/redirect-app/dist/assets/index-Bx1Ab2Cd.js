const app=document.getElementById("app"),routes={"/":()=>"Home","/about":()=>import("./About-Cd3Ef4Gh.js").then(m=>m.default),"/404":()=>"Not found"};
async function render(){const route=routes[location.pathname];if(!route){history.replaceState(null,"","/404");return render()}const text=await route();app.innerHTML='<nav><a href="/">Home</a> <a href="/about">About</a></nav><main></main>';app.querySelector("main").textContent=text}
document.addEventListener("click",e=>{const a=e.target.closest("a");if(a){e.preventDefault();history.pushState(null,"",a.href);render()}});
addEventListener("popstate",render);render();
